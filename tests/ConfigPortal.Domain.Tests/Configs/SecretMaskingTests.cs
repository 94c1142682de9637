using ConfigPortal.Domain.Configs;

namespace ConfigPortal.Domain.Tests.Configs;

/// <summary>
/// Each case plants secrets in a realistic config of one vendor. After masking every secret is gone, each is replaced
/// by the placeholder in place, and every other character of the config is untouched.
/// </summary>
public sealed class SecretMaskingTests
{
    public sealed record Case(string Vendor, string Config, string[] Secrets)
    {
        public override string ToString() => Vendor;
    }

    private static readonly Case[] Cases =
    [
        new("cisco_ios", """
            version 17.9
            hostname r1
            enable secret 9 $9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM
            enable password 7 0822455D0A16544541
            username admin privilege 15 secret 9 $9$UserSecretHash1$abc
            username backup password 7 094F471A1A0A464058
            !
            interface GigabitEthernet0/1
             description uplink
             ip ospf message-digest-key 1 md5 7 13061E010803557878
             ip ospf authentication-key 7 1511021F0725
            !
            router bgp 65000
             neighbor 192.0.2.1 password 7 030752180500701E1D
            !
            key chain KC1
             key 1
              key-string 7 104D000A0618
            !
            snmp-server community Pr1vateC0mm RW
            snmp-server host 192.0.2.50 version 2c Tr4pC0mm
            tacacs-server host 10.0.0.49 key 7 045802150C2E1D1C5A
            tacacs server TAC1
             address ipv4 10.0.0.50
             key 7 0822455D0A16TACKEY
            radius-server host 10.0.0.60 auth-port 1812 acct-port 1813 key Rad1usKey
            crypto isakmp key IsakmpPsk123 address 203.0.113.9
            !
            line vty 0 4
             password 7 LineVtyPass99
             transport input ssh
            !
            end
            """,
            ["$9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM", "0822455D0A16544541", "$9$UserSecretHash1$abc",
             "094F471A1A0A464058", "13061E010803557878", "1511021F0725", "030752180500701E1D", "104D000A0618", "Pr1vateC0mm",
             "Tr4pC0mm", "045802150C2E1D1C5A", "0822455D0A16TACKEY", "Rad1usKey", "IsakmpPsk123", "LineVtyPass99"]),
        new("arista_eos", """
            hostname leaf1
            username admin privilege 15 role network-admin secret sha512 $6$AristaSalt$AristaHash
            username ops secret 0 Ar1staPlain
            snmp-server community AristaRO ro
            tacacs-server host 10.0.0.49 key 7 070C285F4D06AR
            end
            """,
            ["$6$AristaSalt$AristaHash", "Ar1staPlain", "AristaRO", "070C285F4D06AR"]),
        new("cisco_nxos", """
            hostname nx1
            username admin password 5 $5$NxSalt$NxHash  role network-admin
            snmp-server user monitor network-operator auth md5 0x1234abcdNXAUTH priv 0xdeadbeefNXPRIV localizedkey
            snmp-server community NxComm group network-operator
            """,
            ["$5$NxSalt$NxHash", "0x1234abcdNXAUTH", "0xdeadbeefNXPRIV", "NxComm"]),
        new("cisco_asa", """
            hostname asa1
            enable password 8Ry2YjIyt7RRXU24 encrypted
            passwd 2KFQnbNIdI.2KYOU encrypted
            username admin password AsaUserHash1 encrypted privilege 15
            tunnel-group 203.0.113.9 ipsec-attributes
             ikev1 pre-shared-key AsaPsk4ever
             ikev2 remote-authentication pre-shared-key AsaIkev2Psk
            """,
            ["8Ry2YjIyt7RRXU24", "2KFQnbNIdI.2KYOU", "AsaUserHash1", "AsaPsk4ever", "AsaIkev2Psk"]),
        new("aruba_aoscx", """
            hostname cx1
            user admin group administrators password ciphertext AQBapCxCipherText1
            snmp-server community CxComm
            radius-server host 10.0.0.60 key ciphertext AQBapRadiusCipher2
            """,
            ["AQBapCxCipherText1", "CxComm", "AQBapRadiusCipher2"]),
        new("juniper_junos", """
            system {
                host-name mx1;
                root-authentication {
                    encrypted-password "$6$JunSalt$RootHash"; ## SECRET-DATA
                }
                login {
                    user admin {
                        authentication {
                            encrypted-password "$6$JunSalt$AdminHash"; ## SECRET-DATA
                        }
                    }
                }
                radius-server {
                    10.0.0.60 secret "$9$RadiusJun"; ## SECRET-DATA
                }
            }
            snmp {
                community JunCommunity {
                    authorization read-only;
                }
                community "QuotedComm";
            }
            protocols {
                ospf {
                    area 0.0.0.0 {
                        interface ge-0/0/0.0 {
                            authentication {
                                md5 1 key "$9$OspfMd5Key"; ## SECRET-DATA
                            }
                        }
                    }
                }
                bgp {
                    group ext {
                        authentication-key "$9$BgpAuthKey"; ## SECRET-DATA
                    }
                }
            }
            security {
                ike {
                    policy p1 {
                        pre-shared-key ascii-text "$9$IkePskJun"; ## SECRET-DATA
                    }
                }
            }
            """,
            ["$6$JunSalt$RootHash", "$6$JunSalt$AdminHash", "$9$RadiusJun", "JunCommunity", "QuotedComm", "$9$OspfMd5Key", "$9$BgpAuthKey", "$9$IkePskJun"]),
        new("mikrotik_routeros", """
            /system identity set name=ccr1
            /snmp community set [ find default=yes ] name=RosDefaultComm
            /snmp community add addresses=10.0.0.0/8 name=RosExtraComm
            /ppp secret add name=vpnuser password=PppPassw0rd service=l2tp
            /user add group=full name=ops password="Quoted Pass"
            /interface wireless security-profiles set [ find default=yes ] wpa2-pre-shared-key=WifiPsk2026
            /ip ipsec peer add address=203.0.113.9/32 secret=IpsecSecret77
            /routing ospf interface-template add authentication-key=OspfRosKey networks=10.0.0.0/30
            /system ntp client set enabled=yes
            """,
            ["RosDefaultComm", "RosExtraComm", "PppPassw0rd", "Quoted Pass", "WifiPsk2026", "IpsecSecret77", "OspfRosKey"]),
        new("fortinet_fortios", """
            config system admin
                edit "admin"
                    set accprofile "super_admin"
                    set password ENC SH2abcdefFortiHash0123456789
                next
            end
            config vpn ipsec phase1-interface
                edit "to-dc"
                    set interface "port1"
                    set psksecret ENC FortiPskEncBlob==
                next
                edit "to-branch"
                    set psksecret PlainPsk2026
                next
            end
            config user radius
                edit "rad1"
                    set server "10.0.0.60"
                    set secret ENC FortiRadiusEnc==
                next
            end
            """,
            ["SH2abcdefFortiHash0123456789", "FortiPskEncBlob==", "PlainPsk2026", "FortiRadiusEnc=="]),
        // SNMP v1/v2c communities: the "set name" of each entry of "config system snmp community" (quoted or not,
        // with spaces), also after a nested "config hosts" block; "set name" elsewhere is not a secret.
        new("fortinet_fortios", """
            config system snmp sysinfo
                set status enable
            end
            config system snmp community
                edit 1
                    set name "FgtSnmpRo2026"
                    config hosts
                        edit 1
                            set ip 10.0.0.50 255.255.255.255
                        next
                    end
                next
                edit 2
                    config hosts
                        edit 1
                            set ip 10.0.0.51 255.255.255.255
                        next
                    end
                    SET NAME FgtSnmpUpper
                next
                edit 3
                    set name "Fgt community with spaces"
                next
            end
            config system snmp user
                edit "monitor"
                    set auth-pwd ENC FgtSnmpV3AuthEnc==
                next
            end
            config firewall address
                edit "srv1"
                    set name "keep-this-name"
                next
            end
            """,
            ["FgtSnmpRo2026", "FgtSnmpUpper", "Fgt community with spaces", "FgtSnmpV3AuthEnc=="]),
    ];

    public static TheoryData<Case> All => new(Cases);

    [Theory]
    [MemberData(nameof(All))]
    public void EverySecretIsReplacedByThePlaceholderAndNothingElseChanges(Case c)
    {
        var profile = VendorProfiles.Get(c.Vendor);
        var raw = c.Config + "\n";
        var expected = c.Secrets.Aggregate(raw, (text, secret) => text.Replace(secret, VendorProfiles.SecretPlaceholder, StringComparison.Ordinal));

        var result = ConfigNormalizer.Normalize(raw, profile, maskSecrets: true);

        foreach (var secret in c.Secrets)
            Assert.DoesNotContain(secret, result.Text, StringComparison.Ordinal);
        // Line by line, so that a failure names the line that was over- or under-masked.
        var expectedLines = expected.Split('\n');
        var actualLines = result.Text.Split('\n');
        Assert.Equal(expectedLines.Length, actualLines.Length);
        for (var i = 0; i < expectedLines.Length; i++)
            Assert.Equal(expectedLines[i], actualLines[i]);
        Assert.Equal(c.Secrets.Length, result.MaskedSecrets);
    }

    [Theory]
    [MemberData(nameof(All))]
    public void MaskingTwiceChangesNothingMore(Case c)
    {
        var profile = VendorProfiles.Get(c.Vendor);
        var once = ConfigNormalizer.Normalize(c.Config + "\n", profile, maskSecrets: true);

        var twice = ConfigNormalizer.Normalize(once.Text, profile, maskSecrets: true);

        Assert.Equal(once.Text, twice.Text);
        Assert.Equal(0, twice.MaskedSecrets);
    }

    [Fact]
    public void EveryLineOfAMultiLinePrivateKeyIsMasked()
    {
        var raw = """
            config vpn certificate local
                edit "fgt-cert"
                    set private-key "-----BEGIN ENCRYPTED PRIVATE KEY-----
            MIIFHzBJBgkqhkiG9w0BBQ0wPDAbBgkqhkiG9w0BBQwwDgQIKEYBODYLINE1
            Q2hhbmdlTWVLRVlCT0RZTElORTI=
            -----END ENCRYPTED PRIVATE KEY-----"
                    set certificate "-----BEGIN CERTIFICATE-----
            MIIDCERTBODYisPublic
            -----END CERTIFICATE-----"
                next
            end
            """ + "\n";

        var result = ConfigNormalizer.Normalize(raw, VendorProfiles.FortinetFortiOs, maskSecrets: true);

        Assert.DoesNotContain("KEYBODYLINE1", result.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Q2hhbmdlTWVLRVlCT0RZTElORTI=", result.Text, StringComparison.Ordinal);
        Assert.Contains("-----END ENCRYPTED PRIVATE KEY-----\"", result.Text, StringComparison.Ordinal);
        Assert.Contains("MIIDCERTBODYisPublic", result.Text, StringComparison.Ordinal);
        Assert.Equal(LineCount(raw), result.LineCount);
    }

    private static int LineCount(string text) => text.TrimEnd('\n').Split('\n').Length;

    [Fact]
    public void TheSameSecretMaskedInTwoBackupsGivesTheSameHash()
    {
        var a = ConfigNormalizer.Normalize("hostname r1\nenable secret 9 $9$first\nend\n", VendorProfiles.CiscoIos, maskSecrets: true);
        var b = ConfigNormalizer.Normalize("hostname r1\nenable secret 9 $9$resalted\nend\n", VendorProfiles.CiscoIos, maskSecrets: true);

        Assert.Equal(a.CompareHash, b.CompareHash);
    }

    [Fact]
    public void AFortiOsSnmpCommunityKeepsItsLineShapeAndOtherNamesStay()
    {
        var raw = "config system snmp community\n    edit 1\n        set name \"Comm-A\"\n    next\nend\nconfig user group\n    edit \"g1\"\n        set name \"Comm-A\"\n    next\nend\n";
        var other = raw.Replace("\"Comm-A\"\n    next\nend\nconfig user", "\"Comm-B\"\n    next\nend\nconfig user", StringComparison.Ordinal);

        var a = ConfigNormalizer.Normalize(raw, VendorProfiles.FortinetFortiOs, maskSecrets: true);
        var b = ConfigNormalizer.Normalize(other, VendorProfiles.FortinetFortiOs, maskSecrets: true);

        Assert.Contains("        set name \"<removed>\"\n    next\nend\nconfig user group", a.Text, StringComparison.Ordinal);
        Assert.Contains("config user group\n    edit \"g1\"\n        set name \"Comm-A\"", a.Text, StringComparison.Ordinal);
        Assert.Equal(1, a.MaskedSecrets);
        // A changed community is not a config change (dedupe stays stable), as for every other masked secret.
        Assert.Equal(a.CompareHash, b.CompareHash);
    }

    [Fact]
    public void EveryBuiltInVendorProfileHasMaskRules()
    {
        Assert.All(VendorProfiles.All, p => Assert.NotEmpty(p.MaskRules));
    }
}
