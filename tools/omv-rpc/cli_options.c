/* omv-rpc: the command-line parser shared by every subcommand. One
 * getopt_long table is built from the link options and the subcommand's
 * own, so options may come in any order. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum {
    OPT_PORT = 1000,
    OPT_UART,
    OPT_BAUD,
    OPT_NET,
    OPT_BIND,
    OPT_NET_PORT,
    OPT_SEND_TIMEOUT,
    OPT_RECV_TIMEOUT,
    OPT_PTY,
    OPT_CAN,
    OPT_KVASER,
    OPT_CAN_ID,
    OPT_SAMPLE_POINT,
    OPT_I2C,
    OPT_I2C_ADDRESS,
    OPT_SPI,
    OPT_SPI_MODE,
    OPT_BUS_RATE,
    OPT_CAM,
    OPT_QUIET = 'q',
    OPT_VERBOSE = 'v',
    OPT_HELP = 'h'
};

static const struct option link_options[] = {
    {"port", required_argument, NULL, OPT_PORT},
    {"uart", required_argument, NULL, OPT_UART},
    {"baud", required_argument, NULL, OPT_BAUD},
    {"net", required_argument, NULL, OPT_NET},
    {"bind", required_argument, NULL, OPT_BIND},
    {"net-port", required_argument, NULL, OPT_NET_PORT},
    {"send-timeout", required_argument, NULL, OPT_SEND_TIMEOUT},
    {"recv-timeout", required_argument, NULL, OPT_RECV_TIMEOUT},
    {"can", required_argument, NULL, OPT_CAN},
    {"kvaser", required_argument, NULL, OPT_KVASER},
    {"can-id", required_argument, NULL, OPT_CAN_ID},
    {"sample-point", required_argument, NULL, OPT_SAMPLE_POINT},
    {"i2c", required_argument, NULL, OPT_I2C},
    {"i2c-address", required_argument, NULL, OPT_I2C_ADDRESS},
    {"spi", required_argument, NULL, OPT_SPI},
    {"spi-mode", required_argument, NULL, OPT_SPI_MODE},
    {"bus-rate", required_argument, NULL, OPT_BUS_RATE},
    {"cam", required_argument, NULL, OPT_CAM},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"verbose", no_argument, NULL, OPT_VERBOSE},
    {"help", no_argument, NULL, OPT_HELP},
};
#define LINK_OPTION_COUNT (sizeof(link_options) / sizeof(link_options[0]))

void cli_print_link_help(int slave)
{
    if (slave) {
        printf("Link options (one link; the default is --pty):\n"
               "  --pty               a new pseudo-terminal; its path is the first line on stdout\n"
               "  --port DEV          an existing serial port or terminal\n"
               "  --uart DEV          hardware UART or USB-serial adapter\n"
               "  --baud N            UART rate (default 9600)\n"
               "  --net               network (UDP and TCP); no address: masters find the slave\n"
               "  --bind ADDR         network: own address to bind (default: all)\n"
               "  --net-port N        network: port number (default 7610)\n"
               "  --can IFACE         CAN over Linux SocketCAN (e.g. can0)\n"
               "  --kvaser N          CAN over Kvaser CANlib channel N\n"
               "  --can-id ID         CAN message ID, decimal or 0x hex (default 0x7FF)\n"
               "  --sample-point P    CAN sample point in percent (default 75)\n"
               "  --bus-rate N        CAN bit rate (default 250000)\n"
               "  --send-timeout MS   how long a result may take to send (default 1000)\n"
               "  -q, --quiet         fewer messages\n"
               "  -v, --verbose       show every library log line, with the time\n");
        return;
    }
    printf("Link options (one link; the default is --port auto):\n"
           "  --port DEV          USB virtual COM port; \"auto\" finds the one OpenMV Cam\n"
           "  --uart DEV          hardware UART or USB-serial adapter\n"
           "  --baud N            UART rate (default 9600)\n"
           "  --cam DEV           current firmware (OpenMV Protocol V2) on USB; \"auto\"\n"
           "                      finds it: rpc over the \"rpc\" channel that\n"
           "                      examples/camera/rpc_v2_channel.py registers (with\n"
           "                      --baud: a camera script's V2 UART transport)\n"
           "  --net HOST          network: the slave's address (UDP and TCP)\n"
           "  --bind ADDR         network: own address to bind (default: all)\n"
           "  --net-port N        network: port number (default 7610)\n"
           "  --can IFACE         CAN over Linux SocketCAN (e.g. can0)\n"
           "  --kvaser N          CAN over Kvaser CANlib channel N\n"
           "  --can-id ID         CAN message ID, decimal or 0x hex (default 0x7FF)\n"
           "  --sample-point P    CAN sample point in percent (default 75)\n"
           "  --i2c DEV           I2C master on i2c-dev (e.g. /dev/i2c-1)\n"
           "  --i2c-address A     the camera's I2C address, decimal or 0x hex (default 0x12)\n"
           "  --spi DEV           SPI master on spidev (e.g. /dev/spidev0.0)\n"
           "  --spi-mode M        SPI mode 0..3 (default 2)\n"
           "  --bus-rate N        CAN bit rate (250000), I2C clock (100000), SPI clock (1000000)\n"
           "  --send-timeout MS   call phase 1 timeout (default 1000)\n"
           "  --recv-timeout MS   call phase 2 timeout (default 1000)\n"
           "  -q, --quiet         no progress bar, fewer messages\n"
           "  -v, --verbose       show every library log line, with the time, and each\n"
           "                      call's attempts and timeouts\n"
           "Numbers are decimal (a leading 0 is not octal); only IDs and addresses also\n"
           "take 0x hex. Link options may also come before the command.\n");
}

/* Build the getopt short-option string from the table's single-letter
 * options, so that subcommands only declare struct option entries. */
static void build_short_options(const struct option *table, size_t count, char *buf, size_t size)
{
    size_t n = 0;
    buf[n++] = ':'; /* report a missing argument as ':' */
    for (size_t i = 0; i < count && n + 3 < size; i++) {
        int v = table[i].val;
        if (table[i].flag == NULL && v > 0 && v < 128 && isalnum(v)) {
            buf[n++] = (char)v;
            if (table[i].has_arg == required_argument) {
                buf[n++] = ':';
            }
        }
    }
    buf[n] = '\0';
}

static int link_option(int opt, const char *arg, int slave, cli_link_opts *o)
{
    uint32_t v = 0;
    switch (opt) {
    case OPT_PORT:
        o->port = arg;
        return 0;
    case OPT_UART:
        o->uart = arg;
        return 0;
    case OPT_CAM:
        if (slave) {
            fprintf(stderr, "omv-rpc: --cam is for masters (the camera is the slave)\n");
            return -1;
        }
        o->cam = arg;
        return 0;
    case OPT_BAUD:
        return cli_parse_u32(arg, 1, 0xFFFFFFFFu, "--baud", &o->baud);
    case OPT_NET:
        o->net = 1;
        o->net_host = slave ? NULL : arg;
        return 0;
    case OPT_BIND:
        o->bind = arg;
        return 0;
    case OPT_NET_PORT:
        if (cli_parse_u32(arg, 1, 65535, "--net-port", &v) != 0) {
            return -1;
        }
        o->net_port = (uint16_t)v;
        return 0;
    case OPT_SEND_TIMEOUT:
        return cli_parse_u32(arg, 1, 3600000, "--send-timeout", &o->send_timeout_ms);
    case OPT_RECV_TIMEOUT:
        return cli_parse_u32(arg, 1, 3600000, "--recv-timeout", &o->recv_timeout_ms);
    case OPT_PTY:
        o->pty = 1;
        return 0;
    case OPT_CAN:
        o->can = arg;
        return 0;
    case OPT_KVASER:
        if (cli_parse_u32(arg, 0, 255, "--kvaser", &v) != 0) {
            return -1;
        }
        o->kvaser = (int)v;
        return 0;
    case OPT_CAN_ID:
        return cli_parse_id(arg, 0, 0x7FF, "--can-id", &o->can_id);
    case OPT_SAMPLE_POINT:
        return cli_parse_u32(arg, 50, 95, "--sample-point", &o->sample_point);
    case OPT_I2C:
        o->i2c = arg;
        return 0;
    case OPT_I2C_ADDRESS:
        return cli_parse_id(arg, 0x08, 0x77, "--i2c-address", &o->i2c_address);
    case OPT_SPI:
        o->spi = arg;
        return 0;
    case OPT_SPI_MODE:
        return cli_parse_u32(arg, 0, 3, "--spi-mode", &o->spi_mode);
    case OPT_BUS_RATE:
        return cli_parse_u32(arg, 1, 100000000, "--bus-rate", &o->bus_rate);
    case OPT_QUIET:
        o->quiet = 1;
        return 0;
    case OPT_VERBOSE:
        o->verbose = 1;
        return 0;
    default:
        return 1; /* not a link option */
    }
}

/* The text of the long option getopt_long just returned: argv[optind - 1],
 * or argv[optind - 2] when its value came as the next argument. */
static const char *long_option_text(char **argv, int optind_now, int has_value)
{
    const char *text = argv[optind_now - 1];
    if (has_value && strchr(text, '=') == NULL && optind_now >= 2 &&
        strncmp(argv[optind_now - 2], "--", 2) == 0) {
        text = argv[optind_now - 2];
    }
    return text;
}

/* Whether that text names the option in full. */
static int is_whole_name(const char *text, const char *name)
{
    if (strncmp(text, "--", 2) != 0) {
        return 1;
    }
    text += 2;
    size_t len = strcspn(text, "=");
    return strlen(name) == len && strncmp(text, name, len) == 0;
}

/* The options that choose the link (as opposed to tuning it). */
static int selects_link(int opt)
{
    return opt == OPT_PORT || opt == OPT_UART || opt == OPT_CAM || opt == OPT_NET ||
           opt == OPT_PTY || opt == OPT_CAN || opt == OPT_KVASER || opt == OPT_I2C ||
           opt == OPT_SPI;
}

int cli_parse(int argc, char **argv, const struct option *extra, cli_option_fn fn, void *ctx,
              int slave, cli_link_opts *opts, int *first_arg)
{
    memset(opts, 0, sizeof(*opts));
    opts->port = "auto";
    opts->send_timeout_ms = OMV_RPC_DEFAULT_SEND_TIMEOUT_MS;
    opts->recv_timeout_ms = OMV_RPC_DEFAULT_RECV_TIMEOUT_MS;
    opts->kvaser = -1;
    opts->can_id = 0x7FF;
    opts->sample_point = 75;
    opts->i2c_address = 0x12;
    opts->spi_mode = 2;

    size_t extra_count = 0;
    while (extra != NULL && extra[extra_count].name != NULL) {
        extra_count++;
    }
    size_t count = LINK_OPTION_COUNT + extra_count + 1 /* --pty */;
    struct option *table = calloc(count + 1, sizeof(*table));
    if (table == NULL) {
        fprintf(stderr, "omv-rpc: out of memory\n");
        return CLI_EXIT_FAILURE;
    }
    memcpy(table, link_options, sizeof(link_options));
    for (size_t i = 0; i < LINK_OPTION_COUNT; i++) {
        if (slave && table[i].val == OPT_NET) {
            table[i].has_arg = no_argument;
        }
    }
    size_t n = LINK_OPTION_COUNT;
    if (slave) {
        table[n++] = (struct option){"pty", no_argument, NULL, OPT_PTY};
    }
    for (size_t i = 0; i < extra_count; i++) {
        table[n++] = extra[i];
    }
    char shorts[64];
    build_short_options(table, n, shorts, sizeof(shorts));

    /* Each link option given, in order, to name them when there are two. */
    struct {
        const char *option, *value;
    } given[4];
    size_t given_count = 0;

    int rc = 0;
    optind = 1;
    opterr = 0;
    for (;;) {
        int index = -1;
        int opt = getopt_long(argc, argv, shorts, table, &index);
        if (opt == -1) {
            break;
        }
        if (opt == '?' || opt == ':') {
            const char *bad = argv[optind - 1];
            fprintf(stderr, "omv-rpc %s: %s option %s (see --help)\n", argv[0],
                    opt == ':' ? "missing the argument of" : "unknown", bad);
            rc = CLI_EXIT_USAGE;
            break;
        }
        const char *text = index >= 0 ? long_option_text(argv, optind, optarg != NULL) : "";
        if (index >= 0 && !is_whole_name(text, table[index].name)) {
            /* getopt_long takes unique prefixes: --frames would silently
             * be --framesize. Only whole names are options here. */
            fprintf(stderr, "omv-rpc %s: unknown option %.*s (see --help)\n", argv[0],
                    (int)strcspn(text, "="), text);
            rc = CLI_EXIT_USAGE;
            break;
        }
        if (opt == OPT_HELP) {
            rc = -1;
            break;
        }
        int r = link_option(opt, optarg, slave, opts);
        if (r == 1) {
            r = fn != NULL ? fn(ctx, opt, optarg) : -1;
        } else if (r == 0 && selects_link(opt)) {
            if (given_count < sizeof(given) / sizeof(given[0])) {
                given[given_count].option = index >= 0 ? table[index].name : "?";
                given[given_count].value = table[index >= 0 ? index : 0].has_arg ? optarg : NULL;
            }
            given_count++;
        }
        if (r != 0) {
            rc = CLI_EXIT_USAGE;
            break;
        }
    }
    free(table);
    if (rc == 0 && given_count > 1) {
        /* One link only: name what was given, so that the user sees which
         * option (perhaps from an alias or a script) is the extra one. */
        fprintf(stderr, "omv-rpc %s: %zu links given (", argv[0], given_count);
        size_t shown = given_count < 4 ? given_count : 4;
        for (size_t i = 0; i < shown; i++) {
            fprintf(stderr, "%s--%s%s%s",
                    i == 0                 ? ""
                    : i + 1 == given_count ? " and "
                                           : ", ",
                    given[i].option, given[i].value != NULL ? " " : "",
                    given[i].value != NULL ? given[i].value : "");
        }
        fprintf(stderr, "%s); choose one\n", shown < given_count ? ", ..." : "");
        rc = CLI_EXIT_USAGE;
    } else if (rc == 0 && slave && (opts->i2c != NULL || opts->spi != NULL)) {
        fprintf(stderr, "omv-rpc %s: the I2C and SPI links are master only\n", argv[0]);
        rc = CLI_EXIT_USAGE;
    } else if (rc == 0 && slave && given_count == 0) {
        opts->pty = 1; /* a slave's natural home: masters open the new terminal */
    }
    *first_arg = optind;
    return rc;
}

int cli_link_option_arity(const char *arg)
{
    if (arg[0] != '-' || arg[1] == '\0') {
        return -1;
    }
    if (arg[1] != '-') {
        /* A cluster of flags, like -vq. */
        for (const char *c = arg + 1; *c != '\0'; c++) {
            if (*c != OPT_QUIET && *c != OPT_VERBOSE) {
                return -1;
            }
        }
        return 0;
    }
    const char *name = arg + 2;
    size_t len = strcspn(name, "=");
    for (size_t i = 0; i < LINK_OPTION_COUNT; i++) {
        if (strlen(link_options[i].name) == len && strncmp(link_options[i].name, name, len) == 0 &&
            link_options[i].val != OPT_HELP) {
            return link_options[i].has_arg == required_argument && name[len] != '=' ? 1 : 0;
        }
    }
    return -1;
}
