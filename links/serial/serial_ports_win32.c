/* Serial links: listing ports on Windows with SetupAPI (no libserialport
 * needed). Every present device of the Ports class whose PortName is
 * COMn; USB IDs and serial number come from its device instance ID. COM10
 * and above are listed by their plain names; serial_win32.c opens them
 * through \\.\ as Windows requires. */
#include <windows.h>
#include <setupapi.h>
#include <initguid.h> /* before devguid.h: defines GUID_DEVCLASS_PORTS here */
#include <devguid.h>
#include <stdlib.h>
#include <string.h>

#include "serial_internal.h"

/* A registry string property of the device, or "" when it has none. */
static void device_string(HDEVINFO set, SP_DEVINFO_DATA *dev, DWORD prop, char *out, size_t size)
{
    DWORD type = 0, needed = 0;
    out[0] = '\0';
    if (SetupDiGetDeviceRegistryPropertyA(set, dev, prop, &type, (BYTE *)out, (DWORD)size - 1,
                                          &needed) &&
        type == REG_SZ) {
        out[size - 1] = '\0';
    } else {
        out[0] = '\0';
    }
}

/* The device's COM port name ("COM3"), or 0 when it is no COM port (the
 * Ports class also holds printer ports). */
static int port_name(HDEVINFO set, SP_DEVINFO_DATA *dev, char *out, size_t size)
{
    HKEY key = SetupDiOpenDevRegKey(set, dev, DICS_FLAG_GLOBAL, 0, DIREG_DEV, KEY_READ);
    if (key == INVALID_HANDLE_VALUE) {
        return 0;
    }
    DWORD type = 0, len = (DWORD)size - 1;
    LONG rc = RegQueryValueExA(key, "PortName", NULL, &type, (BYTE *)out, &len);
    RegCloseKey(key);
    if (rc != ERROR_SUCCESS || type != REG_SZ) {
        return 0;
    }
    out[len < size ? len : size - 1] = '\0';
    return strncmp(out, "COM", 3) == 0 && out[3] >= '0' && out[3] <= '9';
}

omv_rpc_status omv_rpc_serial_list_ports(omv_rpc_port_info **ports, size_t *count)
{
    if (!ports || !count) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    *ports = NULL;
    *count = 0;
    HDEVINFO set = SetupDiGetClassDevsA(&GUID_DEVCLASS_PORTS, NULL, NULL, DIGCF_PRESENT);
    if (set == INVALID_HANDLE_VALUE) {
        return OMV_RPC_ERR_LINK;
    }
    size_t n = 0, cap = 0;
    omv_rpc_port_info *out = NULL;
    omv_rpc_status st = OMV_RPC_OK;
    SP_DEVINFO_DATA dev = {.cbSize = sizeof dev};
    for (DWORD i = 0; SetupDiEnumDeviceInfo(set, i, &dev); i++) {
        omv_rpc_port_info info;
        memset(&info, 0, sizeof info);
        if (!port_name(set, &dev, info.name, sizeof info.name)) {
            continue;
        }
        device_string(set, &dev, SPDRP_FRIENDLYNAME, info.description, sizeof info.description);
        if (!info.description[0]) {
            device_string(set, &dev, SPDRP_DEVICEDESC, info.description, sizeof info.description);
        }
        device_string(set, &dev, SPDRP_MFG, info.manufacturer, sizeof info.manufacturer);
        char id[512];
        if (SetupDiGetDeviceInstanceIdA(set, &dev, id, sizeof id, NULL)) {
            omvrpc_serial_usb_from_device_id(id, &info);
        }
        if (n == cap) {
            size_t grown = cap ? cap * 2 : 8;
            omv_rpc_port_info *bigger = realloc(out, grown * sizeof *out);
            if (!bigger) {
                st = OMV_RPC_ERR_NO_MEMORY;
                break;
            }
            out = bigger;
            cap = grown;
        }
        out[n++] = info;
    }
    SetupDiDestroyDeviceInfoList(set);
    if (st != OMV_RPC_OK) {
        free(out);
        return st;
    }
    if (!out) {
        out = calloc(1, sizeof *out); /* an empty list is still an array to free */
        if (!out) {
            return OMV_RPC_ERR_NO_MEMORY;
        }
    }
    *ports = out;
    *count = n;
    return OMV_RPC_OK;
}
