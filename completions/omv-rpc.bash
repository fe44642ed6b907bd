# bash completion for omv-rpc.
# The commands and options come from the program itself (omv-rpc --help,
# omv-rpc help COMMAND), so the completion always matches the installed
# version; only the values of a few options are listed here.

# _omv_rpc_options HELP_TEXT: every option the help text shows, one a line,
# followed by " ARG" when it takes a value.
_omv_rpc_options()
{
    printf '%s\n' "$1" | sed -n 's/^ \{1,\}\(-[a-z], \)\{0,1\}\(--[a-z][a-z0-9-]*\)\( [A-Z][A-Z|-]*\)\{0,1\}.*/\2\3/p'
}

_omv_rpc()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local prog=${COMP_WORDS[0]} cmd="" i help opts
    help=$("$prog" --help 2>/dev/null) || return 0
    local global_opts
    global_opts=$(_omv_rpc_options "$help")

    # The command is the first word that is neither an option nor the value
    # of one.
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            -*)
                grep -q -- "^${COMP_WORDS[i]} " <<<"$global_opts" && ((i++))
                ;;
            *)
                cmd=${COMP_WORDS[i]}
                break
                ;;
        esac
    done

    # Values of options.
    case $prev in
        --port | --cam)
            COMPREPLY=($(compgen -W "auto $(ls /dev/ttyACM* /dev/ttyUSB* /dev/cu.* 2>/dev/null)" -- "$cur"))
            return 0 ;;
        --uart)
            COMPREPLY=($(compgen -W "$(ls /dev/tty[A-Z]* /dev/cu.* 2>/dev/null)" -- "$cur"))
            return 0 ;;
        --i2c) COMPREPLY=($(compgen -W "$(ls /dev/i2c-* 2>/dev/null)" -- "$cur")); return 0 ;;
        --spi) COMPREPLY=($(compgen -W "$(ls /dev/spidev* 2>/dev/null)" -- "$cur")); return 0 ;;
        --can) COMPREPLY=($(compgen -W "$(ls /sys/class/net 2>/dev/null | grep -i can)" -- "$cur")); return 0 ;;
        --pixformat) COMPREPLY=($(compgen -W "RGB565 GRAYSCALE" -- "$cur")); return 0 ;;
        --framesize)
            COMPREPLY=($(compgen -W "QQQVGA QQVGA QVGA VGA HQVGA HVGA QCIF CIF SVGA XGA HD FHD" -- "$cur"))
            return 0 ;;
        --link)
            COMPREPLY=($(compgen -W "pair pty udp tcp uart9600 uart115200 uart921600 all" -- "$cur"))
            return 0 ;;
        --out-dir) COMPREPLY=($(compgen -d -- "$cur")); return 0 ;;
        -o | --out | --file | --json | --screenshot) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
    esac
    if grep -q -- "^$prev " <<<"$global_opts"; then
        return 0 # a value nobody can guess (a number, a host name)
    fi

    if [ -z "$cmd" ]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--help --version $(printf '%s\n' "$global_opts" | cut -d' ' -f1)" -- "$cur"))
        else
            local commands
            commands=$(printf '%s\n' "$help" | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
            COMPREPLY=($(compgen -W "$commands help" -- "$cur"))
        fi
        return 0
    fi
    if [ "$cmd" = help ]; then
        COMPREPLY=($(compgen -W "$(printf '%s\n' "$help" | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')" -- "$cur"))
        return 0
    fi
    if [[ $cur == -* ]]; then
        opts=$(_omv_rpc_options "$("$prog" help "$cmd" 2>/dev/null)")
        COMPREPLY=($(compgen -W "--help $(printf '%s\n' "$opts" | cut -d' ' -f1)" -- "$cur"))
    fi
    return 0
}
complete -o default -F _omv_rpc omv-rpc
