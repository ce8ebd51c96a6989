// The page that hosts Swagger UI for the admin API (server/console/api-docs.ts). No inline script
// or style: the CSP of that page allows only files from this server.
export function apiDocsPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gatehouse admin API</title>
<link rel="stylesheet" href="swagger-ui.css">
<link rel="stylesheet" href="docs.css">
<link rel="icon" href="favicon-32x32.png">
</head>
<body>
<main id="swagger-ui"><p>Loading the API documentation… It needs JavaScript; the document itself is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p></main>
<script src="swagger-ui-bundle.js"></script>
<script src="init.js"></script>
</body>
</html>`;
}

/**
 * Starts Swagger UI on the OpenAPI document; "Try it out" calls go to this server with a bearer
 * token. Two repairs for assistive technology (WCAG 4.1.2): the server picker gets a name, and
 * operations are not deep-linked (a link inside each operation's toggle button nests one control
 * in another).
 */
export const API_DOCS_INIT = `window.ui = SwaggerUIBundle({
  url: '/api/v1/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: false,
  tryItOutEnabled: false,
});
const nameControls = () => {
  const servers = document.getElementById('servers');
  if (servers && !servers.getAttribute('aria-label')) servers.setAttribute('aria-label', 'Server');
};
new MutationObserver(nameControls).observe(document.getElementById('swagger-ui'), { childList: true, subtree: true });
`;

/** Colours of Swagger UI's own stylesheet that fall short of WCAG 1.4.3 contrast (4.5:1), made darker. */
export const API_DOCS_CSS = `
.swagger-ui .info .title small{background:#4a4f57}
.swagger-ui .info .title small.version-stamp{background:#2f6f1d}
.swagger-ui .info .title small pre{color:#fff}
.swagger-ui .info a,.swagger-ui .info .url{color:#0b4f9c}
.swagger-ui .btn.authorize{color:#1d6b3f;border-color:#1d6b3f}
.swagger-ui .btn.authorize span{color:#1d6b3f}
.swagger-ui .btn.authorize svg{fill:#1d6b3f}
.swagger-ui .json-schema-2020-12-expand-deep-button{color:#3b3b3b}
.swagger-ui .opblock.opblock-get .opblock-summary-method{background:#1a64a6}
.swagger-ui .opblock.opblock-post .opblock-summary-method{background:#1b7646}
.swagger-ui .opblock.opblock-put .opblock-summary-method{background:#9a5200}
.swagger-ui .opblock.opblock-patch .opblock-summary-method{background:#0d7363}
.swagger-ui .opblock.opblock-delete .opblock-summary-method{background:#b3262c}
`;
