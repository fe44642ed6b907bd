/* cJSON's names for the JSON reader of builds without cJSON
 * (../../json_standin.h): only what the vector tests use. On the include
 * path of the tests only when no cJSON is found for the target. */
#ifndef OMV_RPC_TEST_CJSON_STANDIN_H
#define OMV_RPC_TEST_CJSON_STANDIN_H

#include "json_standin.h"

typedef ts_json cJSON;

#define cJSON_Parse ts_json_parse
#define cJSON_ParseWithLength ts_json_parse_length
#define cJSON_Delete ts_json_delete
#define cJSON_GetObjectItemCaseSensitive ts_json_get
#define cJSON_GetArrayItem ts_json_at
#define cJSON_IsString(j) ((j) != NULL && (j)->type == TS_JSON_STRING)
#define cJSON_IsNumber(j) ((j) != NULL && (j)->type == TS_JSON_NUMBER)
#define cJSON_IsArray(j) ((j) != NULL && (j)->type == TS_JSON_ARRAY)
#define cJSON_IsObject(j) ((j) != NULL && (j)->type == TS_JSON_OBJECT)
#define cJSON_ArrayForEach(e, array) \
    for ((e) = (array) != NULL ? (array)->child : NULL; (e) != NULL; (e) = (e)->next)

#endif
