"""The README's omvrpc.Camera example runs as written against
`omv-rpc sim --v2` (with "auto" replaced by the virtual camera's path, and
the two scripts it reads in the current directory)."""

import contextlib
import io
import os
import re

README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "README.md")


def camera_example():
    with open(README, encoding="utf-8") as f:
        text = f.read()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    found = [b for b in blocks if "omvrpc.Camera(" in b]
    assert len(found) == 1, "one Camera example in the README"
    return found[0]


def test_readme_camera_example(sim_v2, tmp_path, monkeypatch):
    code = camera_example().replace('omvrpc.Camera("auto")',
                                    "omvrpc.Camera(%r)" % sim_v2.path)
    (tmp_path / "main.py").write_text('print("hello from main.py")\n')
    (tmp_path / "echo.py").write_text(
        'import protocol, time\nprotocol.register("echo")\nwhile True:\n    time.sleep_ms(50)\n')
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("(4, 7, 0) [ChannelInfo(id=0")
    assert "hello from main.py" in lines
    assert lines[-1] == "b'ping'"
    assert (tmp_path / "f.jpg").read_bytes()[:2] == b"\xff\xd8"
