/*
 * swagger-init.js: starts Swagger UI on latchkey's generated OpenAPI
 * document. The page lives at /docs/swagger, so the document is
 * ../openapi.json relative to it; relative URLs keep the page working
 * behind a reverse proxy that adds a path prefix. The Authorize dialog
 * takes the OAuth2 password flow, its tokenUrl and its scopes from
 * components.securitySchemes of that document.
 */
"use strict";

window.addEventListener("load", function () {
    var here = window.location.href;
    var specUrl = new URL("../openapi.json", here).href;
    var redirectUrl = new URL("swagger/oauth2-redirect.html", here).href;

    window.ui = SwaggerUIBundle({
        url: specUrl,
        dom_id: "#swagger-ui",
        deepLinking: true,
        presets: [SwaggerUIBundle.presets.apis],
        plugins: [SwaggerUIBundle.plugins.DownloadUrl],
        layout: "BaseLayout",
        oauth2RedirectUrl: redirectUrl,
        /* never ask the public validator service about our document */
        validatorUrl: "none",
        persistAuthorization: false,
        displayRequestDuration: true
    });
});
