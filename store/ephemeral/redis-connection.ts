// How to reach Redis, as operators deploy it: one server (REDIS_URL), a primary watched by Sentinels
// (REDIS_SENTINELS + REDIS_SENTINEL_MASTER), or a Cluster (REDIS_CLUSTER_NODES). TLS and the ACL
// user/password apply to every connection of the chosen kind.

export interface RedisAddress {
  host: string;
  port: number;
}

export interface RedisAuth {
  /** ACL user (Redis 6+); null: the default user. */
  username: string | null;
  password: string | null;
  /** rediss:// / REDIS_TLS: every connection (data nodes and Sentinels) uses TLS. */
  tls: boolean;
}

export type RedisConnection =
  | ({ kind: 'url'; url: string } & Partial<RedisAuth>)
  | ({ kind: 'sentinel'; sentinels: RedisAddress[]; masterName: string } & RedisAuth)
  | ({ kind: 'cluster'; nodes: RedisAddress[] } & RedisAuth);
