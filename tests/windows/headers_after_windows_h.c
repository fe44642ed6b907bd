/* A Windows program includes <windows.h> (all of it: COM headers and their
 * `interface`, `small`, min/max macros) before omvrpc's headers: they must
 * compile after it. Built, not run, by the Windows cross-build. */
#include <winsock2.h> /* before windows.h, as Winsock asks */
#include <windows.h>

#include <omv_rpc/omv_rpc.h>
#include <omv_rpc/serial.h>
#include <omv_rpc/net.h>
#include <omv_rpc/can.h>
#include <omv_rpc/i2c.h>
#include <omv_rpc/openmv.h>
#include <omv_rpc/pair.h>
#include <omv_rpc/sim.h>
#include <omv_rpc/spi.h>
#include <omv_rpc/v2.h>

int omv_rpc_headers_after_windows_h(void);
int omv_rpc_headers_after_windows_h(void)
{
    return (int)OMV_RPC_OK;
}
