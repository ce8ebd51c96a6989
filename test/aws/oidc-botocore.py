# The AWS CLI's engine (botocore) as an SSO OIDC client of Gatehouse, driven by
# oidc-botocore.test.ts over stdin/stdout (one JSON object per line). Endpoints come only from the
# environment or the config file, exactly as a user would set them (scripts/README-aws-cli.md).
#
#   device   RegisterClient, StartDeviceAuthorization, two quick polls; waits for a line on stdin
#            (the test approves meanwhile); then polls to a token, refreshes it, re-uses the old
#            refresh token, and tries a wrong client secret.
#   refresh  reads a cached token from stdin, writes it to an sso cache directory as the CLI would,
#            and lets botocore's SSOTokenProvider (sso-session profiles) refresh it.
import hashlib, json, os, sys, time

import botocore.session
from botocore import UNSIGNED
from botocore.config import Config


def out(obj):
    print(json.dumps(obj))
    sys.stdout.flush()


def device():
    session = botocore.session.Session()
    c = session.create_client('sso-oidc', region_name='us-east-1', config=Config(signature_version=UNSIGNED, retries={'total_max_attempts': 1}))
    reg = c.register_client(clientName='botocore-client-gatehouse', clientType='public', scopes=['sso:account:access'])
    cid, secret = reg['clientId'], reg['clientSecret']
    start = c.start_device_authorization(clientId=cid, clientSecret=secret, startUrl=os.environ['START_URL'])

    def poll():
        return c.create_token(grantType='urn:ietf:params:oauth:grant-type:device_code', clientId=cid, clientSecret=secret, deviceCode=start['deviceCode'])

    seen = []
    for _ in range(2):
        try:
            poll()
            seen.append('token')
        except c.exceptions.AuthorizationPendingException:
            seen.append('AuthorizationPendingException')
        except c.exceptions.SlowDownException:
            seen.append('SlowDownException')
    out({'verificationUriComplete': start['verificationUriComplete'], 'interval': start['interval'], 'expiresIn': start['expiresIn'], 'seen': seen})
    sys.stdin.readline()
    time.sleep(start['interval'])
    token = poll()
    refreshed = c.create_token(grantType='refresh_token', clientId=cid, clientSecret=secret, refreshToken=token['refreshToken'])
    try:
        c.create_token(grantType='refresh_token', clientId=cid, clientSecret=secret, refreshToken=token['refreshToken'])
        reuse = 'accepted'
    except c.exceptions.InvalidGrantException:
        reuse = 'InvalidGrantException'
    try:
        c.start_device_authorization(clientId=cid, clientSecret='wrong', startUrl=os.environ['START_URL'])
        wrong = 'accepted'
    except c.exceptions.InvalidClientException as e:
        wrong = {'code': e.response['Error']['Code'], 'status': e.response['ResponseMetadata']['HTTPStatusCode']}
    out({'accessToken': token['accessToken'], 'tokenType': token['tokenType'], 'expiresIn': token['expiresIn'], 'refreshedAccessToken': refreshed['accessToken'], 'reuse': reuse, 'wrongSecret': wrong})


def refresh():
    from botocore.tokens import SSOTokenProvider
    from botocore.utils import JSONFileCache

    cached = json.loads(sys.stdin.readline())
    cache = JSONFileCache(os.environ['SSO_CACHE_DIR'])
    # The CLI's token cache key for an sso-session profile: sha1 of the session name.
    cache[hashlib.sha1(os.environ['SSO_SESSION'].encode()).hexdigest()] = cached
    session = botocore.session.Session(profile=os.environ['AWS_PROFILE'])
    provider = SSOTokenProvider(session, cache=cache)
    token = provider.load_token().get_frozen_token()
    after = cache[hashlib.sha1(os.environ['SSO_SESSION'].encode()).hexdigest()]
    out({'accessToken': token.token, 'cachedRefreshToken': after.get('refreshToken'), 'cachedAccessToken': after.get('accessToken')})


{'device': device, 'refresh': refresh}[sys.argv[1]]()
