/* The floor for any libcsv-based reader: parse the file with libcsv, with the options
 * goody-batch uses (strict, every line break reported), count fields and records, nothing else. */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>

struct counts { size_t fields, records; };

static void on_field(void *data, size_t len, void *context) {
    (void)data; (void)len;
    ((struct counts *)context)->fields++;
}

static void on_record(int c, void *context) {
    (void)c;
    ((struct counts *)context)->records++;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: floor FILE\n"); return 2; }
    FILE *file = fopen(argv[1], "rb");
    if (!file) { perror(argv[1]); return 2; }
    struct csv_parser parser;
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0) return 2;
    struct counts counts = {0, 0};
    static char buffer[1 << 20];
    size_t got;
    while ((got = fread(buffer, 1, sizeof buffer, file)) > 0) {
        if (csv_parse(&parser, buffer, got, on_field, on_record, &counts) != got) {
            fprintf(stderr, "parse error: %s\n", csv_strerror(csv_error(&parser)));
            return 1;
        }
    }
    csv_fini(&parser, on_field, on_record, &counts);
    csv_free(&parser);
    fclose(file);
    printf("%zu records, %zu fields\n", counts.records, counts.fields);
    return 0;
}
