/* imp_report.c: what an import did, for people and for scripts: counts, each repair and
 * rejection with its reason (the first IMP_MAX_DETAILS of each, then counts only), notes,
 * the source, the pinned transformation, the extent and the version. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/importer_int.h"
#include "tiled/base/tl_buf.h"
#include "tiled/base/tl_util.h"

void imp__note(imp__job *j, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_array_append_new(j->notes, json_string(msg));
}

void imp__reject(imp__job *j, int64_t fid, const char *fmt, ...)
{
    j->n_rejected++;
    if (json_array_size(j->rejections) >= IMP_MAX_DETAILS)
        return;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_array_append_new(j->rejections, json_pack("{s:I, s:s}", "fid", (json_int_t)fid,
                                                   "reason", msg));
}

void imp__repair(imp__job *j, int64_t fid, const char *reason, double x, double y)
{
    j->n_repaired++;
    if (json_array_size(j->repairs) >= IMP_MAX_DETAILS)
        return;
    json_array_append_new(j->repairs,
                          json_pack("{s:I, s:s, s:[f, f], s:s}", "fid", (json_int_t)fid,
                                    "reason", reason, "location", x, y, "action", "MakeValid"));
}

static const char *type_name(lyr_field_type t)
{
    return t == LYR_FIELD_INT ? "integer" : t == LYR_FIELD_REAL ? "real"
                                        : t == LYR_FIELD_DATE ? "date" : "string";
}

static char *human(imp__job *j, const imp_result *res)
{
    tl_buf b;
    tl_buf_init(&b, 1u << 20);
    tl_buf_addf(&b, NULL, "%s layer %s version %d from %s (%s, layer %s)\n",
                j->o->dry_run ? "would publish" : "published", j->o->layer, res->version,
                j->label, j->driver, j->src_layer);
    tl_buf_addf(&b, NULL, "  read %lld, written %lld, repaired %lld, rejected %lld in %.2f s\n",
                (long long)j->n_read, (long long)j->n_written, (long long)j->n_repaired,
                (long long)j->n_rejected, res->seconds);
    tl_buf_addf(&b, NULL, "  CRS %s -> EPSG:4326 via %s\n  pipeline %s\n", j->source_crs,
                j->transformation, j->pipeline ? j->pipeline : "");
    tl_buf_addf(&b, NULL, "  extent %.6f %.6f %.6f %.6f (lon/lat), text %s\n", j->ext[0],
                j->ext[1], j->ext[2], j->ext[3], j->encoding);
    size_t i;
    json_t *v;
    json_array_foreach(j->notes, i, v) tl_buf_addf(&b, NULL, "  note: %s\n", json_string_value(v));
    json_array_foreach(j->repairs, i, v)
        tl_buf_addf(&b, NULL, "  repaired feature %lld: %s at %.7f %.7f\n",
                    (long long)json_integer_value(json_object_get(v, "fid")),
                    json_string_value(json_object_get(v, "reason")),
                    json_real_value(json_array_get(json_object_get(v, "location"), 0)),
                    json_real_value(json_array_get(json_object_get(v, "location"), 1)));
    json_array_foreach(j->rejections, i, v)
        tl_buf_addf(&b, NULL, "  rejected feature %lld: %s\n",
                    (long long)json_integer_value(json_object_get(v, "fid")),
                    json_string_value(json_object_get(v, "reason")));
    if (j->n_repaired > IMP_MAX_DETAILS || j->n_rejected > IMP_MAX_DETAILS)
        tl_buf_addf(&b, NULL, "  (the first %d repairs and rejections are listed)\n",
                    IMP_MAX_DETAILS);
    size_t len;
    return (char *)tl_buf_take(&b, &len);
}

int imp__report(imp__job *j, imp_result *res, double seconds)
{
    if (j->n_zm)
        imp__note(j, "Z/M coordinates dropped from %lld features", (long long)j->n_zm);
    if (j->n_curves)
        imp__note(j, "curves linearised in %lld features", (long long)j->n_curves);
    if (j->n_closed_lines)
        imp__note(j, "%lld closed polylines taken as polygons", (long long)j->n_closed_lines);
    json_t *fields = json_array();
    for (size_t i = 0; i < j->n_fields; i++)
        json_array_append_new(fields, json_pack("{s:s, s:s}", "name", j->fields[i].def.name,
                                                "type", type_name(j->fields[i].def.type)));
    res->n_read = j->n_read;
    res->n_written = j->n_written;
    res->n_repaired = j->n_repaired;
    res->n_rejected = j->n_rejected;
    res->seconds = seconds;
    json_t *doc = json_pack(
        "{s:s, s:i, s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:O, s:O, s:O,"
        " s:o, s:[f, f, f, f], s:f}",
        "layer", j->o->layer, "version", res->version, "dry_run", j->o->dry_run, "source",
        j->label, "source_layer", j->src_layer, "driver", j->driver, "source_crs",
        j->source_crs, "transformation", j->transformation, "pipeline",
        j->pipeline ? j->pipeline : "", "encoding", j->encoding, "read", (json_int_t)j->n_read,
        "written", (json_int_t)j->n_written, "repaired", (json_int_t)j->n_repaired, "rejected",
        (json_int_t)j->n_rejected, "repairs", j->repairs, "rejections", j->rejections, "notes",
        j->notes, "fields", fields, "extent", j->ext[0], j->ext[1], j->ext[2], j->ext[3],
        "seconds", seconds);
    if (!doc)
        return -1;
    res->json = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    res->text = human(j, res);
    return res->json ? 0 : -1;
}
