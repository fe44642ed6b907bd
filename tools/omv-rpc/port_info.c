/* omv-rpc: what `ports` says about a port beyond the library's list (see
 * port_info.h). */
#define _XOPEN_SOURCE 700 /* realpath */
#include "port_info.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
int cli_port_matches(const omv_rpc_port_info *p, const char *filter)
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

/* Boards other than OpenMV's own that run OpenMV's firmware, by their USB
 * IDs (docs/protocol.md section 5): the name says which firmware build. */
const char *cli_port_board(const omv_rpc_port_info *p)
{
    static const struct {
        uint16_t vid, pid;
        const char *name;
    } boards[] = {
        {0x2341, 0x045B, "Arduino Portenta H7"},
        {0x2341, 0x045F, "Arduino Nicla Vision"},
        {0x2341, 0x0466, "Arduino Giga"},
        {0x2341, 0x015A, "Arduino Nano 33 BLE Sense"},
        {0x2341, 0x015E, "Arduino Nano RP2040 Connect"},
        {0x2E8A, 0x0005, "Raspberry Pi Pico"},
    };
    for (size_t i = 0; p->is_usb && i < sizeof(boards) / sizeof(boards[0]); i++) {
        if (boards[i].vid == p->usb_vid && boards[i].pid == p->usb_pid) {
            return boards[i].name;
        }
    }
    return NULL;
}

/* The USB device release (bcdDevice) as "2.00", where the system shows
 * it (Linux sysfs); "" elsewhere. */
void cli_port_usb_release(const omv_rpc_port_info *p, const char *sysfs_root, char *out,
                          size_t size)
{
    out[0] = '\0';
#ifdef __linux__
    const char *base = strrchr(p->name, '/');
    char path[PATH_MAX], real[PATH_MAX];
    snprintf(path, sizeof(path), "%s/class/tty/%s/device", sysfs_root,
             base != NULL ? base + 1 : p->name);
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
    (void)sysfs_root;
    (void)size;
#endif
}
