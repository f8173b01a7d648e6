/* extract.h: the field extractor of the aws_cloudtrail source: ct.*, s3.*,
 * ec2.*, ecr.*, iam.* and the aws.* aliases (falco-fields.md section 3 and
 * the quirks of section 8, as the cloudtrail plugin's extract.go does them). */
#ifndef STOOP_AWS_CLOUDTRAIL_EXTRACT_H
#define STOOP_AWS_CLOUDTRAIL_EXTRACT_H

#include <stdbool.h>

#include "../source.h" /* plugins/source.h, not compiler/source.h */

/* The extractor is also declared in plugins/extractors.h (the source table
 * uses that); this header adds what is particular to the source. */

/* Extracts one field of the aws_cloudtrail table (f->info must point into
 * it) from ev->root, one CloudTrail record. Strings live in document or
 * arena memory and are NUL-terminated; s3.bytes* and s3.cnt.* are numbers
 * (fvalue.as.u). ec2.imageids gives one fvalue per image (one with an
 * index). out->n == 0 means "not extracted". Returns false only when f is
 * not a field of the table (out->n is then 0 too). */
bool aws_cloudtrail_extract(const struct event *ev, const struct field_ref *f, struct arena *a,
                            struct fvalues *out);

/* True if f is a row of plugins/aws_cloudtrail/fields.def. */
bool aws_cloudtrail_field_known(const struct field_info *f);

#endif
