/* omv-rpc: the subcommands. Each takes argv with argv[0] = its own name and
 * returns an exit status (exit_codes.h). */
#ifndef OMV_RPC_CLI_COMMANDS_H
#define OMV_RPC_CLI_COMMANDS_H

int cmd_ports(int argc, char **argv);
int cmd_call(int argc, char **argv);
int cmd_stream(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_view(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_cam(int argc, char **argv);    /* OpenMV Protocol V2 (cmd_cam.c) */
int cmd_sim_v2(int argc, char **argv); /* sim --v2 (cmd_sim_v2.c) */

#endif
