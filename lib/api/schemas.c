/*
 * schemas.c: the JSON Schemas of the built-in bodies (the tutorial's
 * Token, User and Item models, the error shapes and the token form),
 * referenced from the route table by name.
 */
#include <jansson.h>

#include "api/app_internal.h"

static const char schemas_json[] =
"{"
"\"Token\":{\"type\":\"object\",\"title\":\"Token\","
" \"required\":[\"access_token\",\"token_type\"],"
" \"properties\":{"
"  \"access_token\":{\"type\":\"string\",\"title\":\"Access Token\"},"
"  \"token_type\":{\"type\":\"string\",\"title\":\"Token Type\"},"
"  \"expires_in\":{\"type\":\"integer\",\"title\":\"Expires In\"},"
"  \"scope\":{\"type\":\"string\",\"title\":\"Scope\"}}},"
"\"User\":{\"type\":\"object\",\"title\":\"User\","
" \"required\":[\"username\"],"
" \"properties\":{"
"  \"username\":{\"type\":\"string\",\"title\":\"Username\"},"
"  \"email\":{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"null\"}],"
"   \"title\":\"Email\"},"
"  \"full_name\":{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"null\"}],"
"   \"title\":\"Full Name\"},"
"  \"disabled\":{\"anyOf\":[{\"type\":\"boolean\"},{\"type\":\"null\"}],"
"   \"title\":\"Disabled\"}}},"
"\"Item\":{\"type\":\"object\",\"title\":\"Item\","
" \"required\":[\"item_id\",\"owner\"],"
" \"properties\":{"
"  \"item_id\":{\"type\":\"string\",\"title\":\"Item Id\"},"
"  \"owner\":{\"type\":\"string\",\"title\":\"Owner\"}}},"
"\"ItemList\":{\"type\":\"array\",\"title\":\"Items\","
" \"items\":{\"$ref\":\"#/components/schemas/Item\"}},"
"\"HTTPError\":{\"type\":\"object\",\"title\":\"HTTPError\","
" \"required\":[\"detail\"],"
" \"properties\":{\"detail\":{\"type\":\"string\",\"title\":\"Detail\"}}},"
"\"OAuthError\":{\"type\":\"object\",\"title\":\"OAuthError\","
" \"required\":[\"detail\",\"error\"],"
" \"properties\":{\"detail\":{\"type\":\"string\"},"
"  \"error\":{\"type\":\"string\",\"enum\":[\"invalid_request\","
"   \"unsupported_grant_type\",\"invalid_scope\"]}}},"
"\"ValidationError\":{\"type\":\"object\",\"title\":\"ValidationError\","
" \"properties\":{\"detail\":{\"type\":\"array\",\"items\":{"
"  \"type\":\"object\",\"properties\":{"
"   \"type\":{\"type\":\"string\"},"
"   \"loc\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
"   \"msg\":{\"type\":\"string\"}}}}}},"
"\"JWKS\":{\"type\":\"object\",\"title\":\"JWKS\","
" \"required\":[\"keys\"],"
" \"properties\":{\"keys\":{\"type\":\"array\","
"  \"items\":{\"type\":\"object\",\"required\":[\"kty\"]}}}},"
"\"Body_login_for_access_token_token_post\":{\"type\":\"object\","
" \"title\":\"Body_login_for_access_token_token_post\","
" \"required\":[\"username\",\"password\"],"
" \"properties\":{"
"  \"grant_type\":{\"type\":\"string\",\"pattern\":\"^password$\","
"   \"title\":\"Grant Type\"},"
"  \"username\":{\"type\":\"string\",\"title\":\"Username\"},"
"  \"password\":{\"type\":\"string\",\"format\":\"password\","
"   \"title\":\"Password\"},"
"  \"scope\":{\"type\":\"string\",\"default\":\"\",\"title\":\"Scope\"},"
"  \"client_id\":{\"type\":\"string\",\"title\":\"Client Id\"},"
"  \"client_secret\":{\"type\":\"string\",\"format\":\"password\","
"   \"title\":\"Client Secret\"}}}"
"}";

json_t *lk_openapi_schemas(void)
{
    json_error_t e;

    return json_loads(schemas_json, JSON_PRESERVE_ORDER, &e);
}
