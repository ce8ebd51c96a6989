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
<link rel="icon" href="favicon-32x32.png">
</head>
<body>
<main id="swagger-ui"><p>Loading the API documentation… It needs JavaScript; the document itself is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p></main>
<script src="swagger-ui-bundle.js"></script>
<script src="init.js"></script>
</body>
</html>`;
}

/** Starts Swagger UI on the OpenAPI document; "Try it out" calls go to this server with a bearer token. */
export const API_DOCS_INIT = `window.ui = SwaggerUIBundle({
  url: '/api/v1/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: false,
  tryItOutEnabled: false,
});
`;
