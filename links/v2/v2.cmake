# OpenMV Protocol V2 host (include/omv_rpc/v2.h): a protocol over any link,
# with its own folder so that it stays apart from the rpc protocol.
list(APPEND OMV_RPC_LINK_SOURCES v2/v2_wire.c v2/v2_host.c v2/v2_commands.c v2/v2_link.c v2/v2_memory.c v2/v2_udp.c)
