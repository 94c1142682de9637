using System.Text.RegularExpressions;

namespace ConfigPortal.Domain.Configs;

/// <summary>The built-in vendor profiles. One entry per vendor; adding one is adding an entry here (docs/vendors.md).</summary>
public static class VendorProfiles
{
    private const RegexOptions Opts = RegexOptions.Compiled | RegexOptions.CultureInvariant;
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(250);

    private static Regex R(string pattern, RegexOptions extra = RegexOptions.None) => new(pattern, Opts | extra, Timeout);

    /// <summary>
    /// A masking rule; <paramref name="keywords"/> are literals of which one occurs in every line the pattern matches
    /// (the normalizer's prefilter, see <see cref="MaskRule"/>). SecretMaskingTests and MaskingPrefilterTests check
    /// that masking with and without the prefilter is identical.
    /// </summary>
    private static MaskRule M(string name, string pattern, params string[] keywords) => new(name, R(pattern, RegexOptions.IgnoreCase), keywords);


    /// <summary>The placeholder that replaces a secret; fixed so that dedupe and diffs stay stable.</summary>
    public const string SecretPlaceholder = "<removed>";

    // Each error is "at the start of a line, after blanks" written as a lookbehind, so that the regex engine searches
    // the whole output for the error's literal text (a vectorized search) instead of trying a match at every line
    // start. Same matches; on a 50 KB IOS config the three patterns took 0.2-0.4 ms each, now 2-5 us each.
    private static readonly Regex[] CommonErrors =
    [
        R(@"(?<=^\s*)% ?Invalid input", RegexOptions.Multiline),
        R(@"(?<=^\s*)% ?(Unknown|Incomplete|Ambiguous) command", RegexOptions.Multiline | RegexOptions.IgnoreCase),
        R(@"(syntax error|unknown command)(?<=^\s*\1)", RegexOptions.Multiline | RegexOptions.IgnoreCase),
    ];

    /// <summary>Lines IOS-style devices rewrite on every "show running-config" (clocks, save times): never a change.</summary>
    private static readonly Regex[] IosClock =
    [
        R(@"^! Last configuration change at "),
        R(@"^! NVRAM config last updated at "),
        R(@"^ntp clock-period "),
    ];

    public static readonly VendorProfile CiscoIos = new()
    {
        Id = "cisco_ios",
        DisplayName = "Cisco IOS / IOS-XE",
        Prompt = R(@"^[\w.\-@()/:]{1,63}[#>]\s?$", RegexOptions.Multiline),
        UnprivilegedPrompt = R(@"^[\w.\-@()/:]{1,63}>\s?$", RegexOptions.Multiline),
        EnableCommand = "enable",
        SetupCommands = ["terminal length 0", "terminal width 0"],
        ConfigCommands = ["show running-config"],
        MorePrompt = R(@"--More--|<--- More --->"),
        DeleteFilters =
        [
            R(@"^Building configuration\.\.\.\s*$"),
            R(@"^Current configuration\s*:\s*\d+ bytes\s*$"),
            R(@"^! (NVRAM config last updated|No configuration change since last restart)"),
            R(@"^\s*ntp clock-period \d+"),
            R(@"^show running-config\s*$"),
        ],
        IgnoreFilters = [.. IosClock],
        MaskRules =
        [
            M("enable secret", @"^\s*enable (?:secret|password)(?: level \d+)?(?: [0-9]+)? (?<secret>\S+)", "enable"),
            M("username secret", @"^\s*username \S+(?: privilege \d+)?(?: view \S+)? (?:secret|password)(?: [0-9]+)? (?<secret>\S+)", "username"),
            M("snmp community", @"^\s*snmp-server community (?<secret>\S+)", "snmp-server"),
            M("snmp host community", @"^\s*snmp-server host \S+(?: informs| traps)?(?: version \S+)?(?: (?:auth|noauth|priv))? (?<secret>\S+)", "snmp-server"),
            M("tacacs/radius key", @"^\s*(?:tacacs-server|radius-server)(?: host \S+)?.* key(?: [0-9]+| ciphertext| plaintext)? (?<secret>\S+)", "tacacs-server", "radius-server"),
            M("server key", @"^\s*key [0-7] (?<secret>\S+)\s*$", "key"),
            M("line password", @"^\s*password(?: [0-9]+)? (?<secret>\S+)", "password"),
            M("crypto isakmp key", @"^\s*crypto isakmp key(?: [0-9]+)? (?<secret>\S+)", "isakmp"),
            M("pre-shared-key", @"^\s*pre-shared-key(?: (?:local|remote))?(?: [0-9]+)? (?<secret>\S+)", "pre-shared-key"),
            M("routing auth key", @"^\s*(?:ip ospf message-digest-key \d+ md5|ip ospf authentication-key|neighbor \S+ password|key-string)(?: [0-9]+| ciphertext)? (?<secret>\S+)", "key", "password"),
            M("ppp/chap", @"^\s*ppp (?:chap|pap) (?:password|sent-username \S+ password)(?: [0-9]+)? (?<secret>\S+)", "ppp"),
        ],
        ErrorPatterns = CommonErrors,
        EndMarker = R(@"^end\s*$"),
    };

    public static readonly VendorProfile CiscoNxos = CiscoIos with
    {
        Id = "cisco_nxos",
        DisplayName = "Cisco NX-OS",
        SetupCommands = ["terminal length 0", "terminal width 511"],
        EnableCommand = null,
        UnprivilegedPrompt = null,
        DeleteFilters =
        [
            R(@"^!Command: show running-config"),
            R(@"^!Running configuration last done at"),
            R(@"^!Time: "),
            R(@"^show running-config\s*$"),
        ],
        IgnoreFilters = [.. IosClock],
        MaskRules =
        [
            .. CiscoIos.MaskRules,
            M("nxos user password", @"^\s*username \S+ password(?: [0-9]+)? (?<secret>\S+)", "username"),
            M("snmp user auth", @"^\s*snmp-server user \S+(?: \S+)? auth \S+ (?<secret>\S+)", "snmp-server"),
            M("snmp user priv", @"^\s*snmp-server user \S+.*? priv(?: aes-128| 3des)? (?<secret>(?!<removed>)\S+)", "snmp-server"),
        ],
        EndMarker = null,
    };

    public static readonly VendorProfile CiscoAsa = CiscoIos with
    {
        Id = "cisco_asa",
        DisplayName = "Cisco ASA",
        SetupCommands = ["terminal pager 0"],
        DeleteFilters =
        [
            R(@"^: Saved\s*$"),
            R(@"^: Written by "),
            R(@"^Cryptochecksum:"),
            R(@"^show running-config\s*$"),
        ],
        IgnoreFilters = [.. IosClock],
        MaskRules =
        [
            .. CiscoIos.MaskRules.Where(r => r.Name != "snmp host community"),
            M("asa passwd", @"^\s*(?:passwd|enable password) (?<secret>\S+)", "passwd", "password"),
            M("asa user password", @"^\s*username \S+ password (?<secret>\S+)", "username"),
            M("asa snmp host community", @"^\s*snmp-server host \S+ \S+.* community (?<secret>\S+)", "snmp-server"),
            M("asa aaa-server key", @"^\s+key (?<secret>\S+)\s*$", "key"),
            M("tunnel-group psk", @"^\s*ikev[12](?: (?:remote|local)-authentication)? pre-shared-key (?<secret>\S+)", "pre-shared-key"),
        ],
        EndMarker = null,
    };

    public static readonly VendorProfile JuniperJunos = new()
    {
        Id = "juniper_junos",
        DisplayName = "Juniper JunOS",
        Syntax = "braces",
        Prompt = R(@"^[\w.\-@]{1,63}[>#%]\s?$", RegexOptions.Multiline),
        UseExec = true,
        ConfigCommands = ["show configuration | display omit | no-more"],
        DeleteFilters =
        [
            R(@"^## Last commit: "),
            R(@"^\{(master|backup|primary|secondary)(:\d+)?\}\s*$"),
        ],
        IgnoreFilters = [R(@"^## Last changed: "), R(@"^## Last commit: ")],
        MaskRules =
        [
            M("encrypted-password", @"encrypted-password ""?(?<secret>[^"";\s]+)""?;", "encrypted-password"),
            M("junos key", @"\bkey ""(?<secret>[^""]+)""", "key"),
            M("secret", @"\b(?:secret|authentication-key|pre-shared-key ascii-text|simple-password|community) ""?(?<secret>[^"";\s]+)""?", "secret", "authentication-key", "pre-shared-key", "simple-password", "community"),
        ],
        ErrorPatterns = CommonErrors,
    };

    public static readonly VendorProfile AristaEos = CiscoIos with
    {
        Id = "arista_eos",
        DisplayName = "Arista EOS",
        SetupCommands = ["terminal length 0", "terminal width 32767"],
        DeleteFilters =
        [
            R(@"^! Command: show running-config"),
            R(@"^! device: "),
            R(@"^! boot system "),
            R(@"^! Time: "),
            R(@"^show running-config\s*$"),
        ],
        IgnoreFilters = [.. IosClock],
        MaskRules =
        [
            .. CiscoIos.MaskRules,
            M("eos username secret", @"^\s*username \S+(?: privilege \d+)?(?: role \S+)? secret(?: sha512| 5| 0)? (?<secret>\S+)", "username"),
        ],
    };

    public static readonly VendorProfile MikrotikRouterOs = new()
    {
        Id = "mikrotik_routeros",
        DisplayName = "MikroTik RouterOS",
        Syntax = "slash",
        Prompt = R(@"\[[^\]\r\n]{1,80}\] >\s?$", RegexOptions.Multiline),
        UseExec = true,
        ConfigCommands = ["/export terse"],
        DeleteFilters =
        [
            R(@"^# \w{3}/\d{2}/\d{4} \d{2}:\d{2}:\d{2} by RouterOS"),
            R(@"^# \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} by RouterOS"),
            R(@"^# software id = "),
        ],
        IgnoreFilters = [R(@"^# \S+ \S+ by RouterOS ")],
        MaskRules =
        [
            M("routeros snmp community", @"^/snmp community (?:add|set)\b.*\bname=(?:""(?<secret>[^""]+)""|(?<secret>[^""\s]+))", "/snmp community"),
            M("routeros secret", @"\b(?:password|secret|passphrase|wpa2?-pre-shared-key|authentication-key|auth-key|community|pre-shared-key)=(?:""(?<secret>[^""]+)""|(?<secret>[^""\s]+))",
                "password=", "secret=", "passphrase=", "pre-shared-key=", "authentication-key=", "auth-key=", "community="),
        ],
        ErrorPatterns = [R(@"(bad command name|syntax error|expected end of command)(?<=^\s*\1)", RegexOptions.Multiline)],
    };

    public static readonly VendorProfile FortinetFortiOs = new()
    {
        Id = "fortinet_fortios",
        DisplayName = "Fortinet FortiOS / FortiGate",
        Syntax = "fortios",
        Prompt = R(@"^[\w.\-]{1,63}(?: \([\w\-]+\))? [#$]\s?$", RegexOptions.Multiline),
        SetupCommands = [],
        ConfigCommands = ["show full-configuration"],
        MorePrompt = R(@"--More--"),
        DeleteFilters =
        [
            R(@"^#conf_file_ver="),
            R(@"^show full-configuration\s*$"),
        ],
        // FortiOS re-salts ENC blobs on every show; masked anyway, but keep them out of the change decision.
        IgnoreFilters = [R(@"^#config-version="), R(@"^#conf_file_ver=")],
        MaskRules =
        [
            M("fortios ENC", @"\bset \S+ ENC (?<secret>\S+)", "ENC"),
            // (?!ENC ): an ENC blob is masked by the rule above; the ENC marker itself stays.
            M("fortios psk", @"\bset (?:psksecret|password|passwd|secret|key|auth-password|community) (?!ENC )(?<secret>\S+)",
                "password", "passwd", "secret", "key", "community"),
            // SNMP v1/v2c community names are the "set name" of an entry of "config system snmp community" (and only
            // there: "set name" elsewhere is an ordinary object name). The quotes stay, so the line keeps its shape.
            new MaskRule("fortios snmp community", R(@"^\s*set name (?:""(?<secret>[^""]+)""|(?<secret>[^""\s]+))", RegexOptions.IgnoreCase),
                ["set name"], Section: R(@"^config system snmp community$", RegexOptions.IgnoreCase)),
            M("private key block", @"(?<secret>-----BEGIN [A-Z ]*PRIVATE KEY-----)", "PRIVATE KEY"),
            // The body of a multi-line private key block is masked by ConfigNormalizer up to its END line;
            // certificate bodies are public and kept.
        ],
        ErrorPatterns = [R(@"^\s*Command fail", RegexOptions.Multiline), .. CommonErrors],
    };

    public static readonly VendorProfile ArubaAoscx = CiscoIos with
    {
        Id = "aruba_aoscx",
        DisplayName = "HPE Aruba AOS-CX",
        SetupCommands = ["no page"],
        MorePrompt = R(@"--More--|-- MORE --"),
        EnableCommand = null,
        UnprivilegedPrompt = null,
        DeleteFilters =
        [
            R(@"^Current configuration:\s*$"),
            R(@"^!Version ArubaOS-CX "),
            R(@"^!export-password: "),
            R(@"^show running-config\s*$"),
        ],
        IgnoreFilters = [.. IosClock],
        MaskRules =
        [
            .. CiscoIos.MaskRules,
            M("aoscx user password", @"^\s*user \S+ group \S+ password(?: ciphertext| plaintext)? (?<secret>\S+)", "password"),
            M("aoscx ciphertext", @"\bciphertext (?<secret>\S+)", "ciphertext"),
        ],
        EndMarker = null,
    };

    public static IReadOnlyList<VendorProfile> All { get; } =
        [CiscoIos, CiscoNxos, CiscoAsa, JuniperJunos, AristaEos, MikrotikRouterOs, FortinetFortiOs, ArubaAoscx];

    private static readonly Dictionary<string, VendorProfile> ById = All.ToDictionary(p => p.Id, StringComparer.OrdinalIgnoreCase);

    public static VendorProfile? Find(string id) => ById.GetValueOrDefault(id);

    public static VendorProfile Get(string id) =>
        Find(id) ?? throw new ArgumentException($"Unknown vendor '{id}'.", nameof(id));
}
