# assets.cmake: compile the documentation front end into liblatchkey.
#
# Swagger UI comes from the npm package swagger-ui-dist, pinned by
# package.json and package-lock.json at the top of the source tree and
# installed with `npm ci`. scripts/embed_assets.py turns the files it
# needs, plus our own page and initializer (assets/docs/), into one C
# source file in the build directory, which is added to the library.

set(LATCHKEY_PYTHON /usr/bin/python3 CACHE FILEPATH
    "Python interpreter that runs the build's generators")

set(_npm_dir ${PROJECT_SOURCE_DIR}/node_modules)
set(_swagger ${_npm_dir}/swagger-ui-dist)
set(_own ${PROJECT_SOURCE_DIR}/assets/docs)
set(_lock ${PROJECT_SOURCE_DIR}/package-lock.json)
set(_gen ${PROJECT_BINARY_DIR}/generated/lk_assets_data.c)
set(_script ${PROJECT_SOURCE_DIR}/scripts/embed_assets.py)

if(NOT EXISTS ${_swagger}/package.json)
    message(FATAL_ERROR
        "Swagger UI is not installed (${_swagger} is missing).\n"
        "Run `npm ci` in ${PROJECT_SOURCE_DIR} first (or `make build`, "
        "which does it): the npm packages pinned by package-lock.json "
        "are built into latchkey.")
endif()

# NAME=PATH pairs: NAME is the path under /docs/.
set(_files
    swagger/swagger-ui.css=${_swagger}/swagger-ui.css
    swagger/swagger-ui-bundle.js=${_swagger}/swagger-ui-bundle.js
    swagger/favicon-32x32.png=${_swagger}/favicon-32x32.png
    swagger/favicon-16x16.png=${_swagger}/favicon-16x16.png
    swagger/oauth2-redirect.html=${_swagger}/oauth2-redirect.html
    swagger/oauth2-redirect.js=${_swagger}/oauth2-redirect.js
    swagger/swagger-init.js=${_own}/swagger-init.js
    swagger/latchkey-docs.css=${_own}/latchkey-docs.css)
set(_pages
    swagger=${_own}/swagger.html)

set(_args)
set(_deps ${_script} ${_lock} ${_swagger}/package.json)
foreach(pair ${_files})
    string(REGEX REPLACE "^[^=]*=" "" _path ${pair})
    list(APPEND _args --file ${pair})
    list(APPEND _deps ${_path})
endforeach()
foreach(pair ${_pages})
    string(REGEX REPLACE "^[^=]*=" "" _path ${pair})
    list(APPEND _args --page ${pair})
    list(APPEND _deps ${_path})
endforeach()

add_custom_command(
    OUTPUT ${_gen}
    COMMAND ${LATCHKEY_PYTHON} ${_script} --out ${_gen} --lock ${_lock}
            --package ${_swagger} ${_args}
    DEPENDS ${_deps}
    COMMENT "Embedding the documentation front end (swagger-ui-dist)"
    VERBATIM)
target_sources(latchkey PRIVATE ${_gen})
