# Turn omv-rpc's help text into man(7) markup: "Usage:" lines become the
# synopsis in bold, "  --option ARG   what it does" lines become tagged
# paragraphs, the rest stays text. Used by gen_man.sh only.
function esc(s) {
    gsub(/\\/, "\\e", s)
    gsub(/-/, "\\-", s)
    return s
}
function text(s) {
    s = esc(s)
    if (s ~ /^[.']/) s = "\\&" s
    return s
}
BEGIN { mode = "" }
/^Usage: / {
    print ".PP"
    print "\\fB" esc(substr($0, 8)) "\\fR"
    mode = "usage"
    next
}
mode == "usage" && /^        +[[|-]/ {
    sub(/^ +/, "")
    print ".br"
    print "\\fB\\ \\ \\ \\ " esc($0) "\\fR"
    next
}
/^$/ { print ".PP"; mode = ""; next }
/^ +-/ {
    if (mode == "usage") print ".PP"
    line = $0
    sub(/^ +/, "", line)
    n = match(line, /  +/)
    if (n) {
        spec = substr(line, 1, n - 1)
        desc = substr(line, n)
        sub(/^ +/, "", desc)
    } else {
        spec = line
        desc = ""
    }
    print ".TP"
    print "\\fB" esc(spec) "\\fR"
    if (desc != "") print text(desc)
    mode = "option"
    next
}
mode == "option" && /^      +/ {
    line = $0
    sub(/^ +/, "", line)
    print text(line)
    next
}
{
    line = $0
    if (mode == "option" || mode == "usage") { print ".PP"; mode = "" }
    if (line ~ /^  [^ ]/) { sub(/^ +/, "", line); print ".br" }
    print text(line)
}
