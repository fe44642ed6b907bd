/* omv-rpc ports [--json] [FILTER]: the serial ports, with USB IDs; OpenMV
 * Cams are marked (docs/protocol.md section 5), and for USB ports the
 * strings and device release their descriptors give, which hint at the
 * firmware (the camera's USB product string and release change with it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omv_rpc/rpc.h>
#include <omv_rpc/serial.h>
#include <omv_rpc/v2.h>
#include <sys/stat.h>
#ifdef OMV_RPC_CLI_HAVE_CJSON
#include <cjson/cJSON.h>
#endif

#include "cli.h"
#include "commands.h"
#include "port_info.h"

enum { OPT_JSON = 3300, OPT_PROBE };

typedef struct ports_opts {
    int json, probe;
} ports_opts;

static int ports_option(void *ctx, int opt, const char *arg)
{
    ports_opts *o = ctx;
    (void)arg;
    if (opt == OPT_JSON) {
        o->json = 1;
        return 0;
    }
    if (opt == OPT_PROBE) {
        o->probe = 1;
        return 0;
    }
    return -1;
}

/* Which protocol answers on `port`: OpenMV Protocol V2 (a SYNC at the USB
 * rate is ACKed: current firmware), else the rpc protocol (a call of a
 * name nobody registers gets its empty result: an rpc slave script on old
 * firmware's USB VCP, or omv-rpc sim), else none of them. Opening the port
 * at 921600 with DTR is what the IDE does; the SYNC unlocks the camera's
 * channels, nothing else. */
static const char *probe_protocol(const char *port)
{
    omv_rpc_v2_config cfg = {0};
    omv_rpc_v2 *v2 = NULL;
    omv_rpc_link link;
    omv_rpc_master *m = NULL;
    const char *what = "no answer (neither V2 nor rpc)";
    cfg.timeout_ms = 1200;
    if (omv_rpc_v2_open_serial(&v2, port, 0, &cfg) != OMV_RPC_OK) {
        return "cannot open";
    }
    omv_rpc_status st = omv_rpc_v2_sync(v2);
    omv_rpc_v2_free(v2);
    if (st == OMV_RPC_OK) {
        return "OpenMV Protocol V2 (omv-rpc cam; rpc with --cam)";
    }
    if (omv_rpc_serial_open(&link, port, 0, NULL) == OMV_RPC_OK &&
        omv_rpc_master_new(&m, &link, NULL) == OMV_RPC_OK) {
        const uint8_t *res;
        size_t len;
        if (omv_rpc_master_call(m, "omv_rpc_ports_probe", NULL, 0, &res, &len, 500, 500) ==
            OMV_RPC_OK) {
            what = "rpc (an rpc slave: omv-rpc call --port)";
        }
    }
    omv_rpc_master_free(m);
    return what;
}

#ifdef OMV_RPC_CLI_HAVE_CJSON
static int print_json(const omv_rpc_port_info *ports, size_t count, const char *filter)
{
    cJSON *array = cJSON_CreateArray();
    for (size_t i = 0; array != NULL && i < count; i++) {
        const omv_rpc_port_info *p = &ports[i];
        if (!cli_port_matches(p, filter)) {
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
            cli_port_usb_release(p, CLI_PORT_SYSFS, release, sizeof(release));
            if (release[0] != '\0') {
                cJSON_AddStringToObject(o, "usb_release", release);
            }
            if (cli_port_board(p) != NULL) {
                cJSON_AddStringToObject(o, "board", cli_port_board(p));
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
#else
static int print_json(const omv_rpc_port_info *ports, size_t count, const char *filter)
{
    (void)ports;
    (void)count;
    (void)filter;
    fprintf(stderr, "omv-rpc ports: --json is not in this build (it was built without cJSON)\n");
    return CLI_EXIT_FAILURE;
}
#endif

int cmd_ports(int argc, char **argv)
{
    static const struct option extra[] = {{"json", no_argument, NULL, OPT_JSON},
                                          {"probe", no_argument, NULL, OPT_PROBE},
                                          {NULL, 0, NULL, 0}};
    ports_opts po = {0, 0};
    cli_link_opts opts;
    int first = 0;
    int rc = cli_parse(argc, argv, extra, ports_option, &po, 0, &opts, &first);
    if (rc < 0) {
        printf("Usage: omv-rpc ports [--json] [--probe] [FILTER|DEVICE]\n"
               "List serial ports with their USB IDs; \"*\" marks an OpenMV Cam. For USB\n"
               "ports the product string and the device release (\"usb 2.00\", where the\n"
               "system shows it) come from the USB descriptors: they hint at the firmware;\n"
               "Arduino and Raspberry Pi boards that run OpenMV's firmware are named.\n"
               "FILTER keeps the ports whose name, description, manufacturer, serial\n"
               "number or VID:PID contain it (any case); \"openmv\" keeps OpenMV Cams.\n"
               "  --json              the list as a JSON array\n"
               "  --probe             ask each OpenMV Cam which protocol it speaks: OpenMV\n"
               "                      Protocol V2 (current firmware) or rpc (a script's\n"
               "                      slave); a DEVICE that is not listed (a pseudo-\n"
               "                      terminal) is probed alone\n");
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
    struct stat sb;
    if (po.probe && filter != NULL && filter[0] == '/' && stat(filter, &sb) == 0 &&
        S_ISCHR(sb.st_mode)) {
        omv_rpc_port_info *listed = NULL;
        size_t n = 0, known = 0;
        if (omv_rpc_serial_list_ports(&listed, &n) == OMV_RPC_OK) {
            for (size_t i = 0; i < n; i++) {
                known |= strcmp(listed[i].name, filter) == 0;
            }
            omv_rpc_serial_free_ports(listed);
        }
        if (!known) {
            printf("  %-20s            speaks: %s\n", filter, probe_protocol(filter));
            return CLI_EXIT_OK;
        }
    }
    omv_rpc_port_info *ports = NULL;
    size_t count = 0;
    omv_rpc_status st = omv_rpc_serial_list_ports(&ports, &count);
    if (st != OMV_RPC_OK) {
        cli_report("cannot list the serial ports", st);
        return CLI_EXIT_FAILURE;
    }
    size_t shown = 0;
    if (po.json) {
        rc = print_json(ports, count, filter);
    } else {
        for (size_t i = 0; i < count; i++) {
            const omv_rpc_port_info *p = &ports[i];
            if (!cli_port_matches(p, filter)) {
                continue;
            }
            shown++;
            if (p->is_usb) {
                char release[16];
                cli_port_usb_release(p, CLI_PORT_SYSFS, release, sizeof(release));
                const char *board = cli_port_board(p);
                printf("%s %-20s %04x:%04x  %s%s%s%s%s%s%s%s\n", p->is_openmv ? "*" : " ", p->name,
                       p->usb_vid, p->usb_pid, p->description, board != NULL ? "  (" : "",
                       board != NULL ? board : "", board != NULL ? ")" : "",
                       release[0] != '\0' ? "  usb " : "", release,
                       p->serial_number[0] != '\0' ? "  serial " : "", p->serial_number);
                if (po.probe && p->is_openmv) {
                    printf("  %-20s            speaks: %s\n", "", probe_protocol(p->name));
                }
            } else {
                printf("  %-20s            %s\n", p->name, p->description);
            }
        }
        if (shown == 0) {
            fprintf(stderr,
                    filter != NULL ? "omv-rpc: no serial port matches \"%s\"\n"
                                   : "omv-rpc: no serial ports found%s\n",
                    filter != NULL ? filter : "");
        }
    }
    omv_rpc_serial_free_ports(ports);
    return rc;
}
