/*
 * validate_openapi.mjs: validate an OpenAPI document (a file path) with
 * @apidevtools/swagger-parser, pinned in package.json. Prints "valid"
 * and exits 0, or prints the validation error and exits 1.
 */
import SwaggerParser from "@apidevtools/swagger-parser";

const file = process.argv[2];
if (!file) {
    console.error("usage: node validate_openapi.mjs FILE");
    process.exit(2);
}
try {
    const api = await SwaggerParser.validate(file);
    console.log(`valid: ${api.info.title} ${api.info.version}, `
                + `OpenAPI ${api.openapi}`);
} catch (e) {
    console.log(`invalid: ${e.message}`);
    process.exit(1);
}
