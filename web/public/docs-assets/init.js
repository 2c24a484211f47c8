// Starts Swagger UI on the /api/docs page (worker/features/api-docs/routes.ts) with the generated OpenAPI document.
window.SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#docs" });
