/* Serial links: any baud rate on Linux, through termios2 and BOTHER.
 *
 * Kept in a file of its own: <asm/termbits.h> defines a struct termios of
 * the kernel's that clashes with the C library's <termios.h>. */
#include <asm/termbits.h>
#include <errno.h>
#include <sys/ioctl.h>

#include "serial_internal.h"

int omvrpc_serial_set_custom_baud(int fd, uint32_t baudrate, uint32_t *actual)
{
    struct termios2 tio;
    *actual = 0;
    if (ioctl(fd, TCGETS2, &tio) != 0) {
        return errno;
    }
    /* Output and input speed both from c_ospeed / c_ispeed. */
    tio.c_cflag &= ~(tcflag_t)(CBAUD | (CBAUD << IBSHIFT));
    tio.c_cflag |= BOTHER | (BOTHER << IBSHIFT);
    tio.c_ospeed = baudrate;
    tio.c_ispeed = baudrate;
    if (ioctl(fd, TCSETS2, &tio) != 0) {
        return errno;
    }
    /* The driver rounds to what its clock divider can make. */
    if (ioctl(fd, TCGETS2, &tio) != 0) {
        return errno;
    }
    *actual = tio.c_ospeed;
    return 0;
}
