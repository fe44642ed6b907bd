/* omv-rpc ports [--json] [FILTER]: the serial ports, with USB IDs; OpenMV
 * Cams are marked (docs/protocol.md section 5), and for USB ports the
 * strings and device release their descriptors give, which hint at the
 * firmware (the camera's USB product string and release change with it). */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <omv_rpc/serial.h>

#include "cli.h"
#include "commands.h"

enum { OPT_JSON = 3300 };

static int ports_option(void *ctx, int opt, const char *arg)
{
    (void)arg;
    if (opt == OPT_JSON) {
        *(int *)ctx = 1;
        return 0;
    }
    return -1;
}

/* Whether `needle` occurs in `hay`, ignoring case. */
static int contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay != '\0'; hay++) {
        size_t i = 0;
        while (i < n && hay[i] != '\0' &&
               tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i])) {
            i++;
        }
        if (i == n) {
            return 1;
        }
    }
    return n == 0;
}

/* FILTER matches a port's name, description, manufacturer, serial number
 * or VID:PID; "openmv" also matches every port with an OpenMV Cam's IDs. */
static int matches(const omv_rpc_port_info *p, const char *filter)
{
    if (filter == NULL) {
        return 1;
    }
    char ids[16];
    snprintf(ids, sizeof(ids), "%04x:%04x", p->usb_vid, p->usb_pid);
    return contains(p->name, filter) || contains(p->description, filter) ||
           contains(p->manufacturer, filter) || contains(p->serial_number, filter) ||
           (p->is_usb && contains(ids, filter)) || (p->is_openmv && contains("openmv", filter));
}

/* The USB device release (bcdDevice) as "2.00", where the system shows
 * it (Linux sysfs); "" elsewhere. */
static void usb_release(const omv_rpc_port_info *p, char *out, size_t size)
{
    out[0] = '\0';
#ifdef __linux__
    const char *base = strrchr(p->name, '/');
    char path[PATH_MAX], real[PATH_MAX];
    snprintf(path, sizeof(path), "/sys/class/tty/%s/device", base != NULL ? base + 1 : p->name);
    if (!p->is_usb || realpath(path, real) == NULL) {
        return;
    }
    /* The tty's device is a USB interface (ACM) or a port under one
     * (usb-serial); the USB device, with bcdDevice, is a level or two up. */
    for (int up = 0; up < 3; up++) {
        char *slash = strrchr(real, '/');
        if (slash == NULL || slash == real) {
            return;
        }
        *slash = '\0';
        char probe[PATH_MAX + 16];
        snprintf(probe, sizeof(probe), "%s/bcdDevice", real);
        FILE *f = fopen(probe, "r");
        if (f != NULL) {
            unsigned bcd = 0;
            if (fscanf(f, "%4x", &bcd) == 1) {
                snprintf(out, size, "%x.%02x", bcd >> 8, bcd & 0xFFu);
            }
            fclose(f);
            return;
        }
    }
#else
    (void)p;
    (void)size;
#endif
}

static int print_json(const omv_rpc_port_info *ports, size_t count, const char *filter)
{
    cJSON *array = cJSON_CreateArray();
    for (size_t i = 0; array != NULL && i < count; i++) {
        const omv_rpc_port_info *p = &ports[i];
        if (!matches(p, filter)) {
            continue;
        }
        cJSON *o = cJSON_CreateObject();
        if (o == NULL) {
            break;
        }
        cJSON_AddStringToObject(o, "name", p->name);
        cJSON_AddStringToObject(o, "description", p->description);
        cJSON_AddStringToObject(o, "manufacturer", p->manufacturer);
        cJSON_AddStringToObject(o, "serial_number", p->serial_number);
        cJSON_AddBoolToObject(o, "usb", p->is_usb);
        if (p->is_usb) {
            char id[8];
            snprintf(id, sizeof(id), "%04x", p->usb_vid);
            cJSON_AddStringToObject(o, "vid", id);
            snprintf(id, sizeof(id), "%04x", p->usb_pid);
            cJSON_AddStringToObject(o, "pid", id);
            char release[16];
            usb_release(p, release, sizeof(release));
            if (release[0] != '\0') {
                cJSON_AddStringToObject(o, "usb_release", release);
            }
        }
        cJSON_AddBoolToObject(o, "openmv", p->is_openmv);
        cJSON_AddItemToArray(array, o);
    }
    char *text = array != NULL ? cJSON_Print(array) : NULL;
    cJSON_Delete(array);
    if (text == NULL) {
        fprintf(stderr, "omv-rpc: out of memory\n");
        return CLI_EXIT_FAILURE;
    }
    printf("%s\n", text);
    cJSON_free(text);
    return CLI_EXIT_OK;
}

int cmd_ports(int argc, char **argv)
{
    static const struct option extra[] = {{"json", no_argument, NULL, OPT_JSON},
                                          {NULL, 0, NULL, 0}};
    int json = 0;
    cli_link_opts opts;
    int first = 0;
    int rc = cli_parse(argc, argv, extra, ports_option, &json, 0, &opts, &first);
    if (rc < 0) {
        printf("Usage: omv-rpc ports [--json] [FILTER]\n"
               "List serial ports with their USB IDs; \"*\" marks an OpenMV Cam. For USB\n"
               "ports the product string and the device release (\"usb 2.00\", where the\n"
               "system shows it) come from the USB descriptors: they hint at the firmware.\n"
               "FILTER keeps the ports whose name, description, manufacturer, serial\n"
               "number or VID:PID contain it (any case); \"openmv\" keeps OpenMV Cams.\n"
               "  --json              the list as a JSON array\n");
        return CLI_EXIT_OK;
    }
    if (rc == 0 && first + 1 < argc) {
        fprintf(stderr, "omv-rpc ports: give at most one FILTER\n");
        rc = CLI_EXIT_USAGE;
    }
    if (rc != 0) {
        return rc;
    }
    const char *filter = first < argc ? argv[first] : NULL;
    omv_rpc_port_info *ports = NULL;
    size_t count = 0;
    omv_rpc_status st = omv_rpc_serial_list_ports(&ports, &count);
    if (st != OMV_RPC_OK) {
        cli_report("cannot list the serial ports", st);
        return CLI_EXIT_FAILURE;
    }
    size_t shown = 0;
    if (json) {
        rc = print_json(ports, count, filter);
    } else {
        for (size_t i = 0; i < count; i++) {
            const omv_rpc_port_info *p = &ports[i];
            if (!matches(p, filter)) {
                continue;
            }
            shown++;
            if (p->is_usb) {
                char release[16];
                usb_release(p, release, sizeof(release));
                printf("%s %-20s %04x:%04x  %s%s%s%s%s\n", p->is_openmv ? "*" : " ", p->name,
                       p->usb_vid, p->usb_pid, p->description, release[0] != '\0' ? "  usb " : "",
                       release, p->serial_number[0] != '\0' ? "  serial " : "", p->serial_number);
            } else {
                printf("  %-20s            %s\n", p->name, p->description);
            }
        }
        if (shown == 0) {
            fprintf(stderr, filter != NULL ? "omv-rpc: no serial port matches \"%s\"\n"
                                           : "omv-rpc: no serial ports found%s\n",
                    filter != NULL ? filter : "");
        }
    }
    omv_rpc_serial_free_ports(ports);
    return rc;
}
