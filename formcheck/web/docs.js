// Swagger UI for /docs, from the locally installed swagger-ui-bundle (no CDN: the service works offline).
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
