namespace ConfigPortal.Infrastructure.Tests.Ssh;

/// <summary>
/// The device emulator that sshd runs as ForceCommand: python3, generic, driven by a JSON device spec
/// (<see cref="DeviceSpec"/>) and an optional fault. Kept as a string so the test project needs no content items.
/// argv: spec.json [fault]. Faults: cut (stop half-way and exit), hang (no final prompt), invalid (reject the config
/// command), slow:SECONDS (answer late), ignore-paging (pager stays on), silent (never show a prompt),
/// kill (exec: half the output, then SIGKILL), banner-prompt (a banner line that looks like a prompt, then a pause),
/// slow-answer (no terminal echo; the first input is read and echoed only after 0.6 s, the next 0.3 s after that).
/// </summary>
internal static class EmulatorScript
{
    public const string Python = """
import json, os, random, re, signal, sys, time, datetime, base64, termios, tty

spec = json.load(open(sys.argv[1]))
fault = sys.argv[2] if len(sys.argv) > 2 else ""
rng = random.SystemRandom()

def now():
    return datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=rng.randint(0, 10**6))

TOKENS = {
    "IOS_TIME": lambda: now().strftime("%H:%M:%S UTC %a %b ") + str(now().day) + now().strftime(" %Y"),
    "NX_TIME": lambda: now().strftime("%a %b %d %H:%M:%S %Y"),
    "ASA_TIME": lambda: now().strftime("%H:%M:%S.") + "%03d" % rng.randint(0, 999) + now().strftime(" UTC %a %b %d %Y"),
    "ISO_TIME": lambda: now().strftime("%Y-%m-%d %H:%M:%S"),
    "CLOCK_PERIOD": lambda: str(rng.randint(17000000, 17999999)),
    "BYTES": lambda: str(rng.randint(3000, 9000)),
    "HEX32": lambda: "%032x" % rng.getrandbits(128),
    "RAND": lambda: str(rng.randint(1, 10**9)),
    "ENC": lambda: base64.b64encode(os.urandom(48)).decode(),
}

def render():
    return re.sub(r"\{\{(\w+)\}\}", lambda m: TOKENS[m.group(1)](), spec["config"])

def out(s):
    os.write(1, s.encode())

def exec_mode(cmd):
    if fault.startswith("slow:"):
        time.sleep(float(fault[5:]))
    if cmd not in spec["config_commands"]:
        out(spec.get("error", "% Invalid input detected at '^' marker.") + "\n")
        sys.exit(1)
    if fault == "invalid":
        out(spec.get("error", "% Invalid input detected at '^' marker.") + "\n")
        sys.exit(1)
    text = render()
    if fault == "kill":
        out(text[: len(text) // 2])
        time.sleep(0.2)
        os.kill(os.getpid(), signal.SIGKILL)
    out(text)
    sys.exit(0)

_pending = b""
def readline():
    global _pending
    while b"\n" not in _pending and b"\r" not in _pending:
        chunk = os.read(0, 1024)
        if not chunk:
            sys.exit(0)
        _pending += chunk
    m = re.search(rb"\r\n|\n|\r", _pending)
    line, _pending = _pending[: m.start()], _pending[m.end():]
    return line.decode(errors="replace").strip()

def read_secret():
    fd = 0
    old = termios.tcgetattr(fd)
    new = termios.tcgetattr(fd)
    new[3] &= ~termios.ECHO
    termios.tcsetattr(fd, termios.TCSADRAIN, new)
    try:
        return readline()
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)

def read_key(prompt):
    # Single-key mode before the pager prompt is shown, and without flushing: a key the client sends as soon as it
    # sees the prompt must neither be echoed nor discarded (tty.setcbreak's default TCSAFLUSH drops typed-ahead input,
    # which stalled paging collections under load).
    fd = 0
    old = termios.tcgetattr(fd)
    tty.setcbreak(fd, termios.TCSANOW)
    out(prompt)
    try:
        b = os.read(fd, 1)
        if not b:
            sys.exit(0)
        return b.decode(errors="replace")
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)

def show_config(paging):
    if fault.startswith("slow:"):
        time.sleep(float(fault[5:]))
    lines = render().split("\n")
    if fault == "cut":
        # Stop half-way, right after an indented body line: the last line received is plainly config, never one that
        # could pass for a prompt, so only the closed session tells the collector that the output is incomplete.
        half = len(lines) // 2
        while half < len(lines) - 1 and not lines[half - 1].startswith(" "):
            half += 1
        for line in lines[:half]:
            out(line + "\n")
        time.sleep(0.2)
        sys.exit(0)
    page = spec.get("page_lines", 0)
    for i, line in enumerate(lines):
        out(line + "\n")
        if paging and page and (i + 1) % page == 0 and i + 1 < len(lines):
            key = read_key(spec["more"])
            out(spec.get("more_erase", ""))
            if key in ("q", "Q"):
                return
    if fault == "hang":
        time.sleep(3600)

def shell_mode():
    out(spec.get("banner", ""))
    if fault == "banner-prompt":
        # A banner line that looks like a prompt, then a pause longer than any settle time, then the real prompt.
        out("Escalations outside office hours:\nnoc-desk#")
        time.sleep(0.6)
        out("\n(call the on-call engineer first)\n\n")
    if fault == "silent":
        time.sleep(3600)
    privileged = spec.get("unpriv_prompt") is None
    paging = bool(spec.get("page_lines"))
    error = spec.get("error", "% Invalid input detected at '^' marker.")
    if fault == "slow-answer":
        # A busy device: it echoes input itself (no terminal echo) and answers its first input only after 0.6 s.
        attrs = termios.tcgetattr(0)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(0, termios.TCSANOW, attrs)
    turn = 0
    while True:
        out(spec["prompt"] if privileged else spec["unpriv_prompt"])
        if fault == "slow-answer" and turn < 2:
            # 0.6 s before reading the first input, then 0.3 s more after answering it with a prompt.
            time.sleep(0.6 if turn == 0 else 0.3)
        turn += 1
        cmd = readline()
        if fault == "slow-answer":
            out(cmd + "\r\n")
        if cmd == "":
            continue
        if cmd in ("exit", "quit", "logout"):
            return
        if not privileged and cmd == spec.get("enable_command"):
            if spec.get("enable_secret") is None:
                privileged = True
                continue
            for _ in range(3):
                out("Password: ")
                secret = read_secret()
                out("\n")
                if secret == spec["enable_secret"]:
                    privileged = True
                    break
            else:
                out("% Bad secrets\n\n")
            continue
        if cmd in spec.get("paging_off_commands", []):
            if fault != "ignore-paging":
                paging = False
            continue
        if cmd in spec.get("accepted_commands", []):
            continue
        if cmd in spec["config_commands"]:
            if not privileged or fault == "invalid":
                out(" " * (len(spec["unpriv_prompt"] or "") + 5) + "^\n" + error + "\n\n")
                continue
            show_config(paging)
            continue
        out(error + "\n")

original = os.environ.get("SSH_ORIGINAL_COMMAND")
if original:
    exec_mode(original.strip())
else:
    shell_mode()
""";
}
