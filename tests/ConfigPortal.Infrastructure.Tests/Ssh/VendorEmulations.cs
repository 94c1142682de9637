namespace ConfigPortal.Infrastructure.Tests.Ssh;

/// <summary>
/// One emulated device per vendor profile: banner, prompts, paging and the config as the CLI prints it, with
/// volatile lines ({{TOKENS}} refreshed on every run) and planted secrets. Modeled on public documentation and
/// sample output, not captured from real hardware.
/// </summary>
public static class VendorEmulations
{
    private const string Removed = "<removed>";

    public static readonly VendorEmulation CiscoIos = new()
    {
        Vendor = "cisco_ios",
        Spec = new DeviceSpec
        {
            Banner = "\n**************************************************\n* Authorized access only. Disconnect otherwise.  *\n**************************************************\n\n",
            Prompt = "core-rtr1#",
            UnprivilegedPrompt = "core-rtr1>",
            EnableCommand = "enable",
            EnableSecret = "En4ble-Secret!",
            ConfigCommands = ["show running-config"],
            PagingOffCommands = ["terminal length 0"],
            AcceptedCommands = ["terminal width 0"],
            PageLines = 20,
            More = " --More-- ",
            MoreErase = "\b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\b",
            Config = """
                Building configuration...

                Current configuration : {{BYTES}} bytes
                !
                ! Last configuration change at {{IOS_TIME}} by admin
                ! NVRAM config last updated at {{IOS_TIME}} by admin
                !
                version 17.9
                service timestamps debug datetime msec
                service timestamps log datetime msec
                service password-encryption
                !
                hostname core-rtr1
                !
                boot-start-marker
                boot-end-marker
                !
                enable secret 9 $9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM
                !
                aaa new-model
                aaa authentication login default group tacacs+ local
                !
                username admin privilege 15 secret 9 $9$ZrB1mT7sLk0Ocz$QZ6lh9WzjtWTXc0RyblAK8JruF2A5yvAhkPdp0w3Lh2
                username backup password 7 0822455D0A16544541
                !
                interface GigabitEthernet0/0
                 description uplink to isp
                 ip address 203.0.113.2 255.255.255.252
                 ip ospf message-digest-key 1 md5 7 13061E010803557878
                !
                interface GigabitEthernet0/1
                 description core-lan
                 ip address 10.0.0.1 255.255.255.0
                !
                router ospf 1
                 area 0 authentication message-digest
                 network 10.0.0.0 0.0.0.255 area 0
                !
                router bgp 65001
                 neighbor 203.0.113.1 remote-as 64500
                 neighbor 203.0.113.1 password 7 045802150C2E1D1C5A
                !
                crypto isakmp key 0 Isakmp-Psk-42 address 198.51.100.7
                !
                key chain EIGRP-KEYS
                 key 1
                  key-string 7 110A1016141D5A5E57
                !
                snmp-server community S3cr3tRO RO
                snmp-server host 10.0.0.50 version 2c S3cr3tTrap
                tacacs-server host 10.0.0.9 key 7 094F471A1A0A
                radius-server key 0 Radius-Key-77
                !
                ntp clock-period {{CLOCK_PERIOD}}
                ntp server 10.0.0.123
                !
                line con 0
                 password 7 070C285F4D06
                line vty 0 4
                 password 7 121A0C0411045D
                 transport input ssh
                !
                end
                """,
        },
        Secrets =
        [
            "$9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM", "$9$ZrB1mT7sLk0Ocz$QZ6lh9WzjtWTXc0RyblAK8JruF2A5yvAhkPdp0w3Lh2",
            "0822455D0A16544541", "13061E010803557878", "045802150C2E1D1C5A", "Isakmp-Psk-42", "110A1016141D5A5E57", "S3cr3tRO", "S3cr3tTrap",
            "094F471A1A0A", "Radius-Key-77", "070C285F4D06", "121A0C0411045D", "En4ble-Secret!",
        ],
        ExpectedLines =
        [
            "hostname core-rtr1", "version 17.9", "interface GigabitEthernet0/0", " description uplink to isp", "ntp server 10.0.0.123", "end",
            $"enable secret 9 {Removed}", $"username admin privilege 15 secret 9 {Removed}", $"username backup password 7 {Removed}",
            $" ip ospf message-digest-key 1 md5 7 {Removed}", $" neighbor 203.0.113.1 password 7 {Removed}",
            $"crypto isakmp key 0 {Removed} address 198.51.100.7", $"  key-string 7 {Removed}", $"snmp-server community {Removed} RO",
            $"snmp-server host 10.0.0.50 version 2c {Removed}", $"tacacs-server host 10.0.0.9 key 7 {Removed}", $"radius-server key 0 {Removed}",
            $" password 7 {Removed}",
        ],
        DeletedPrefixes = ["Building configuration", "Current configuration :", "! NVRAM config last updated", "ntp clock-period", "show running-config", " --More--"],
    };

    public static readonly VendorEmulation CiscoNxos = new()
    {
        Vendor = "cisco_nxos",
        Spec = new DeviceSpec
        {
            Banner = "Cisco Nexus Operating System (NX-OS) Software\nTAC support: http://www.cisco.com/tac\nCopyright (C) 2002-2023, Cisco and/or its affiliates.\n",
            Prompt = "nx-core1# ",
            ConfigCommands = ["show running-config"],
            PagingOffCommands = ["terminal length 0"],
            AcceptedCommands = ["terminal width 511"],
            PageLines = 24,
            More = "--More--",
            MoreErase = "\r        \r",
            Config = """

                !Command: show running-config
                !Running configuration last done at: {{NX_TIME}}
                !Time: {{NX_TIME}}

                version 9.3(8) Bios:version 05.45
                hostname nx-core1
                vdc nx-core1 id 1
                  limit-resource vlan minimum 16 maximum 4094

                feature tacacs+
                feature ospf
                feature bgp

                username admin password 5 $5$KJHGFD$Zx8pQ1wYh6s3n2tVb0cQmR7uLa9eD4fGk1JjH5iO/0C  role network-admin
                username monitor password 5 $5$POIUYT$Lk2jH3gF4dS5aQ6wE7rT8yU9iO0pZxCvBnM1qW2eR3.  role network-operator
                ssh key rsa 2048
                tacacs-server key 7 "Vmrs1234Tac"
                tacacs-server host 10.0.0.9 key 7 "Vmrs5678Host"
                snmp-server user admin network-admin auth md5 0x9a8b7c6d5e4f30211203f4e5d6c7b8a9 priv 0x1f2e3d4c5b6a79880f1e2d3c4b5a6978 localizedkey
                snmp-server community NxS3cret group network-operator
                ntp server 10.0.0.123 use-vrf management

                interface Ethernet1/1
                  description uplink-spine1
                  no switchport
                  ip address 10.1.1.1/31
                  ip ospf authentication-key 3 0f1e2d3c4b5a6978aa
                  ip router ospf 1 area 0.0.0.0

                router bgp 65010
                  neighbor 10.1.1.0
                    remote-as 65000
                    password 3 a667d47acc18ea6b

                line console
                line vty
                """,
        },
        Secrets =
        [
            "$5$KJHGFD$Zx8pQ1wYh6s3n2tVb0cQmR7uLa9eD4fGk1JjH5iO/0C", "$5$POIUYT$Lk2jH3gF4dS5aQ6wE7rT8yU9iO0pZxCvBnM1qW2eR3.", "Vmrs1234Tac", "Vmrs5678Host",
            "0x9a8b7c6d5e4f30211203f4e5d6c7b8a9", "0x1f2e3d4c5b6a79880f1e2d3c4b5a6978", "NxS3cret", "0f1e2d3c4b5a6978aa", "a667d47acc18ea6b",
        ],
        ExpectedLines =
        [
            "hostname nx-core1", "feature bgp", "interface Ethernet1/1", "  description uplink-spine1", "line vty",
            $"username admin password 5 {Removed}  role network-admin", $"tacacs-server key 7 {Removed}", $"tacacs-server host 10.0.0.9 key 7 {Removed}",
            $"snmp-server user admin network-admin auth md5 {Removed} priv {Removed} localizedkey", $"snmp-server community {Removed} group network-operator",
            $"  ip ospf authentication-key 3 {Removed}", $"    password 3 {Removed}",
        ],
        DeletedPrefixes = ["!Command:", "!Running configuration last done at", "!Time:", "show running-config"],
    };

    public static readonly VendorEmulation CiscoAsa = new()
    {
        Vendor = "cisco_asa",
        Spec = new DeviceSpec
        {
            Banner = "Type help or '?' for a list of available commands.\n",
            Prompt = "fw-edge1# ",
            UnprivilegedPrompt = "fw-edge1> ",
            EnableCommand = "enable",
            EnableSecret = "Asa-Enable-9",
            ConfigCommands = ["show running-config"],
            PagingOffCommands = ["terminal pager 0"],
            PageLines = 24,
            More = "<--- More --->",
            MoreErase = "\r              \r",
            Config = """
                : Saved

                :
                : Serial Number: JAD21430ABC
                : Hardware:   ASA5516, 8192 MB RAM, CPU Atom C2000 series 2416 MHz, 1 CPU (8 cores)
                : Written by enable_15 at {{ASA_TIME}}
                !
                ASA Version 9.12(4)37
                !
                hostname fw-edge1
                domain-name example.net
                enable password $sha512$5000$J2Wl0dhgLrCqkB3nmVl6tQ==$QkIWYgVHRMZ0xt1cGO4C5w== pbkdf2
                passwd 2KFQnbNIdI.2KYOU encrypted
                names
                !
                interface GigabitEthernet1/1
                 nameif outside
                 security-level 0
                 ip address 203.0.113.10 255.255.255.248
                !
                interface GigabitEthernet1/2
                 nameif inside
                 security-level 100
                 ip address 10.0.0.1 255.255.255.0
                !
                object network inside-net
                 subnet 10.0.0.0 255.255.255.0
                access-list outside_in extended permit tcp any host 203.0.113.11 eq https
                username admin password $sha512$5000$kKPZPJ7GKtLR4r7dVBB3yA==$2mIkJmiYV4I4Q9ycAv6cJw== pbkdf2 privilege 15
                aaa-server TACACS protocol tacacs+
                aaa-server TACACS (inside) host 10.0.0.9
                 key Tacacs-Asa-Key
                snmp-server host inside 10.0.0.50 community Asa-Snmp-Comm version 2c
                snmp-server community Asa-Snmp-Comm2
                tunnel-group 198.51.100.7 type ipsec-l2l
                tunnel-group 198.51.100.7 ipsec-attributes
                 ikev2 remote-authentication pre-shared-key Asa-Ikev2-Remote
                 ikev2 local-authentication pre-shared-key Asa-Ikev2-Local
                 ikev1 pre-shared-key Asa-Ikev1-Psk
                Cryptochecksum:{{HEX32}}
                : end
                """,
        },
        Secrets =
        [
            "$sha512$5000$J2Wl0dhgLrCqkB3nmVl6tQ==$QkIWYgVHRMZ0xt1cGO4C5w==", "2KFQnbNIdI.2KYOU", "$sha512$5000$kKPZPJ7GKtLR4r7dVBB3yA==$2mIkJmiYV4I4Q9ycAv6cJw==",
            "Tacacs-Asa-Key", "Asa-Snmp-Comm", "Asa-Snmp-Comm2", "Asa-Ikev2-Remote", "Asa-Ikev2-Local", "Asa-Ikev1-Psk", "Asa-Enable-9",
        ],
        ExpectedLines =
        [
            "ASA Version 9.12(4)37", "hostname fw-edge1", " nameif outside", "access-list outside_in extended permit tcp any host 203.0.113.11 eq https", ": end",
            $"enable password {Removed} pbkdf2", $"passwd {Removed} encrypted", $"username admin password {Removed} pbkdf2 privilege 15", $" key {Removed}",
            $"snmp-server host inside 10.0.0.50 community {Removed} version 2c", $"snmp-server community {Removed}",
            $" ikev2 remote-authentication pre-shared-key {Removed}", $" ikev2 local-authentication pre-shared-key {Removed}", $" ikev1 pre-shared-key {Removed}",
        ],
        DeletedPrefixes = [": Saved", ": Written by", "Cryptochecksum:", "show running-config", "<--- More --->"],
    };

    public static readonly VendorEmulation JuniperJunos = new()
    {
        Vendor = "juniper_junos",
        Spec = new DeviceSpec
        {
            Banner = "--- JUNOS 21.4R3-S5.4 Kernel 64-bit  JNPR-12.1-20230818.0f0b2ea_buil\n",
            Prompt = "admin@mx-edge1> ",
            ConfigCommands = ["show configuration | display omit | no-more"],
            Error = "syntax error, expecting <command>.",
            Config = """
                ## Last commit: {{ISO_TIME}} UTC by admin
                version 21.4R3-S5.4;
                system {
                    host-name mx-edge1;
                    root-authentication {
                        encrypted-password "$6$Wk8pQ2$Ab1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX2yZ3aB4cD5eF6gH7iJ8kL9mN0oP1qR2sT3uV4wX5yZ6aB7cD8e"; ## SECRET-DATA
                    }
                    login {
                        user noc {
                            uid 2001;
                            class super-user;
                            authentication {
                                encrypted-password "$6$Zy9xW8$Qp1oN2mL3kJ4iH5gF6eD7cB8aZ9yX0wV1uT2sR3qP4oN5mL6kJ7iH8gF9eD0cB1aZ2yX3wV4uT5sR6qP7oN8m"; ## SECRET-DATA
                            }
                        }
                    }
                    services {
                        ssh {
                            root-login deny;
                        }
                        netconf {
                            ssh;
                        }
                    }
                    radius-server {
                        10.0.0.5 secret "$9$JunosRadiusSecAbC"; ## SECRET-DATA
                    }
                    ntp {
                        server 10.0.0.123;
                    }
                }
                snmp {
                    community JunosComm {
                        authorization read-only;
                    }
                }
                protocols {
                    ospf {
                        area 0.0.0.0 {
                            interface ge-0/0/0.0 {
                                authentication {
                                    md5 1 key "$9$JunosOspfMd5XyZ"; ## SECRET-DATA
                                }
                            }
                        }
                    }
                    bgp {
                        group transit {
                            authentication-key "$9$JunosBgpAuthQwE"; ## SECRET-DATA
                            neighbor 203.0.113.1 {
                                peer-as 64500;
                            }
                        }
                    }
                }
                security {
                    ike {
                        policy branch-ike {
                            pre-shared-key ascii-text "$9$JunosIkePskRtY"; ## SECRET-DATA
                        }
                    }
                }
                """,
        },
        Secrets =
        [
            "$6$Wk8pQ2$Ab1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX2yZ3aB4cD5eF6gH7iJ8kL9mN0oP1qR2sT3uV4wX5yZ6aB7cD8e",
            "$6$Zy9xW8$Qp1oN2mL3kJ4iH5gF6eD7cB8aZ9yX0wV1uT2sR3qP4oN5mL6kJ7iH8gF9eD0cB1aZ2yX3wV4uT5sR6qP7oN8m",
            "$9$JunosRadiusSecAbC", "JunosComm", "$9$JunosOspfMd5XyZ", "$9$JunosBgpAuthQwE", "$9$JunosIkePskRtY",
        ],
        ExpectedLines =
        [
            "version 21.4R3-S5.4;", "system {", "    host-name mx-edge1;", "            root-login deny;", "                peer-as 64500;", "}",
            $"        encrypted-password \"{Removed}\"; ## SECRET-DATA", $"        10.0.0.5 secret \"{Removed}\"; ## SECRET-DATA",
            $"    community {Removed} {{", $"                    md5 1 key \"{Removed}\"; ## SECRET-DATA",
            $"            authentication-key \"{Removed}\"; ## SECRET-DATA", $"            pre-shared-key ascii-text \"{Removed}\"; ## SECRET-DATA",
        ],
        DeletedPrefixes = ["## Last commit:"],
    };

    public static readonly VendorEmulation AristaEos = new()
    {
        Vendor = "arista_eos",
        Spec = new DeviceSpec
        {
            Banner = "Last login: Tue Mar  3 09:58:12 2026 from 10.0.0.200\n",
            Prompt = "leaf1#",
            UnprivilegedPrompt = "leaf1>",
            EnableCommand = "enable",
            EnableSecret = null,
            ConfigCommands = ["show running-config"],
            PagingOffCommands = ["terminal length 0"],
            AcceptedCommands = ["terminal width 32767"],
            PageLines = 24,
            More = " --More-- ",
            MoreErase = "\b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\b",
            Config = """
                ! Command: show running-config
                ! device: leaf1 (DCS-7050SX3-48YC8, EOS-4.28.3M)
                ! Time: {{NX_TIME}}
                !
                ! boot system flash:/EOS-4.28.3M.swi
                !
                no aaa root
                !
                username admin privilege 15 role network-admin secret sha512 $6$Eos1Salt$Eos1HashValueAbCdEfGhIjKlMnOpQrStUvWxYz0123456789
                username ops role network-operator secret sha512 $6$Eos2Salt$Eos2HashValueZyXwVuTs
                !
                transceiver qsfp default-mode 4x10G
                !
                hostname leaf1
                ip name-server vrf MGMT 10.0.0.53
                !
                snmp-server community EosComm ro
                !
                tacacs-server host 10.0.0.9 key 7 0207165218120E
                !
                spanning-tree mode mstp
                !
                interface Ethernet1
                   description spine1
                   no switchport
                   ip address 10.2.1.1/31
                   ip ospf authentication-key 7 EosOspfKey==
                !
                router bgp 65101
                   neighbor 10.2.1.0 remote-as 65000
                   neighbor 10.2.1.0 password 7 EosBgpPw==
                !
                ntp server vrf MGMT 10.0.0.123
                !
                end
                """,
        },
        Secrets =
        [
            "$6$Eos1Salt$Eos1HashValueAbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "$6$Eos2Salt$Eos2HashValueZyXwVuTs", "EosComm", "0207165218120E",
            "EosOspfKey==", "EosBgpPw==",
        ],
        ExpectedLines =
        [
            "hostname leaf1", "no aaa root", "interface Ethernet1", "   description spine1", "ntp server vrf MGMT 10.0.0.123", "end",
            $"username admin privilege 15 role network-admin secret sha512 {Removed}", $"username ops role network-operator secret sha512 {Removed}",
            $"snmp-server community {Removed} ro", $"tacacs-server host 10.0.0.9 key 7 {Removed}", $"   ip ospf authentication-key 7 {Removed}",
            $"   neighbor 10.2.1.0 password 7 {Removed}",
        ],
        DeletedPrefixes = ["! Command:", "! device:", "! Time:", "! boot system", "show running-config"],
    };

    public static readonly VendorEmulation MikrotikRouterOs = new()
    {
        Vendor = "mikrotik_routeros",
        Spec = new DeviceSpec
        {
            Prompt = "[admin@rtr-branch1] > ",
            ConfigCommands = ["/export terse"],
            Error = "bad command name exportt (line 1 column 2)",
            Config = """
                # {{ISO_TIME}} by RouterOS 7.14.2
                # software id = 7XQ2-ABCD
                #
                # model = CCR2004-1G-12S+2XS
                # serial number = HE3081234567
                /interface bridge add name=bridge-lan
                /interface wifi security add authentication-types=wpa2-psk,wpa3-psk name=sec-office passphrase=Wifi-Pass-123
                /interface l2tp-server server set enabled=yes use-ipsec=yes ipsec-secret=L2tp-Ipsec-456
                /ip address add address=10.0.0.1/24 interface=bridge-lan network=10.0.0.0
                /ip ipsec identity add peer=branch secret=Ipsec-Psk-789
                /ppp secret add name=vpnuser password=Ppp-Pass-321 service=l2tp
                /radius add address=10.0.0.5 secret=Radius-Sec-654 service=login
                /routing ospf interface-template add area=backbone-v2 auth=md5 auth-id=1 auth-key=Ospf-Key-987 interfaces=bridge-lan
                /snmp community set [ find default=yes ] disabled=yes
                /snmp community add addresses=10.0.0.0/24 name=Mt-Snmp-Comm
                /system identity set name=rtr-branch1
                /user aaa set use-radius=yes
                """,
        },
        Secrets = ["Wifi-Pass-123", "L2tp-Ipsec-456", "Ipsec-Psk-789", "Ppp-Pass-321", "Radius-Sec-654", "Ospf-Key-987", "Mt-Snmp-Comm"],
        ExpectedLines =
        [
            "# model = CCR2004-1G-12S+2XS", "/interface bridge add name=bridge-lan", "/system identity set name=rtr-branch1", "/user aaa set use-radius=yes",
            $"/interface wifi security add authentication-types=wpa2-psk,wpa3-psk name=sec-office passphrase={Removed}",
            $"/interface l2tp-server server set enabled=yes use-ipsec=yes ipsec-secret={Removed}", $"/ip ipsec identity add peer=branch secret={Removed}",
            $"/ppp secret add name=vpnuser password={Removed} service=l2tp", $"/radius add address=10.0.0.5 secret={Removed} service=login",
            $"/routing ospf interface-template add area=backbone-v2 auth=md5 auth-id=1 auth-key={Removed} interfaces=bridge-lan",
            $"/snmp community add addresses=10.0.0.0/24 name={Removed}",
        ],
        DeletedPrefixes = ["# 20", "# software id ="],
    };

    public static readonly VendorEmulation FortinetFortiOs = new()
    {
        Vendor = "fortinet_fortios",
        Spec = new DeviceSpec
        {
            Prompt = "FGT-HQ # ",
            ConfigCommands = ["show full-configuration"],
            PageLines = 20,
            More = "--More-- ",
            MoreErase = "\r         \r",
            Error = "Command fail. Return code -61",
            Config = """
                #config-version=FGT60F-7.2.8-FW-build1639-240313:opmode=0:vdom=0:user=admin
                #conf_file_ver={{RAND}}
                #buildno=1639
                #global_vdom=1
                config system global
                    set admin-sport 8443
                    set alias "FGT-HQ"
                    set hostname "FGT-HQ"
                    set timezone 04
                end
                config system admin
                    edit "admin"
                        set accprofile "super_admin"
                        set vdom "root"
                        set password ENC SH2{{ENC}}
                    next
                end
                config system interface
                    edit "wan1"
                        set vdom "root"
                        set ip 203.0.113.2 255.255.255.252
                        set allowaccess ping https ssh
                    next
                    edit "internal"
                        set vdom "root"
                        set ip 10.0.0.1 255.255.255.0
                    next
                end
                config user radius
                    edit "rad1"
                        set server "10.0.0.5"
                        set secret ENC {{ENC}}
                    next
                end
                config vpn ipsec phase1-interface
                    edit "to-branch"
                        set interface "wan1"
                        set remote-gw 198.51.100.7
                        set psksecret ENC {{ENC}}
                    next
                end
                config router ospf
                    set router-id 10.0.0.1
                    config ospf-interface
                        edit "wan1-auth"
                            set interface "wan1"
                            set authentication md5
                            config md5-keys
                                edit 1
                                    set md5-key ENC {{ENC}}
                                next
                            end
                        next
                    end
                end
                config system snmp community
                    edit 1
                        set name "FgtSnmpComm01"
                        config hosts
                            edit 1
                                set ip 10.0.0.50 255.255.255.255
                            next
                        end
                    next
                end
                config vpn certificate local
                    edit "hq-cert"
                        set password ENC {{ENC}}
                        set private-key "-----BEGIN ENCRYPTED PRIVATE KEY-----
                MIIFHzBJBgkqhkiG9w0BBQ0wPDAbBgkqhkiG9w0BBQwwDgQIFortiKeyBlock01
                Zm9ydGlrZXlibG9ja2xpbmUyMDI2MDMwM3BsYW50ZWRzZWNyZXQ=
                -----END ENCRYPTED PRIVATE KEY-----"
                    next
                end
                """,
        },
        Secrets = ["MIIFHzBJBgkqhkiG9w0BBQ0wPDAbBgkqhkiG9w0BBQwwDgQIFortiKeyBlock01", "Zm9ydGlrZXlibG9ja2xpbmUyMDI2MDMwM3BsYW50ZWRzZWNyZXQ=", "FgtSnmpComm01"],
        ExpectedLines =
        [
            "#config-version=FGT60F-7.2.8-FW-build1639-240313:opmode=0:vdom=0:user=admin", "config system global", "    set hostname \"FGT-HQ\"",
            "        set remote-gw 198.51.100.7", "end",
            $"        set password ENC {Removed}", $"        set secret ENC {Removed}", $"        set psksecret ENC {Removed}",
            $"                    set md5-key ENC {Removed}", $"        set private-key \"{Removed}", $"        set name \"{Removed}\"",
            "                set ip 10.0.0.50 255.255.255.255",
        ],
        DeletedPrefixes = ["#conf_file_ver=", "show full-configuration", "--More--"],
    };

    public static readonly VendorEmulation ArubaAoscx = new()
    {
        Vendor = "aruba_aoscx",
        Spec = new DeviceSpec
        {
            Banner = "\nAruba Operating System Software.\n(c) Copyright 2017-2023 Hewlett Packard Enterprise Development LP.\n\n",
            Prompt = "sw-access1# ",
            ConfigCommands = ["show running-config"],
            PagingOffCommands = ["no page"],
            PageLines = 24,
            More = "-- MORE --, next page: Space, next line: Enter, quit: Control-C",
            MoreErase = "\r                                                                 \r",
            Config = """
                Current configuration:
                !
                !Version ArubaOS-CX FL.10.10.1020
                !export-password: default
                hostname sw-access1
                user admin group administrators password ciphertext AQBapOsCxAdminHashValue01
                user ops group operators password ciphertext AQBapOsCxOpsHashValue02
                !
                ntp server 10.0.0.123 iburst
                ntp enable
                !
                radius-server host 10.0.0.5 key ciphertext AQBapRadiusKeyValue03
                tacacs-server host 10.0.0.9 key ciphertext AQBapTacacsKeyValue04
                !
                snmp-server community CxSnmpComm
                snmpv3 user monitor auth sha auth-pass ciphertext AQBapAuthPassValue05 priv aes priv-pass ciphertext AQBapPrivPassValue06
                !
                ssh server vrf mgmt
                vlan 1,10
                interface 1/1/1
                    description uplink
                    no shutdown
                    vlan trunk allowed 1,10
                interface vlan 10
                    ip address 10.10.0.2/24
                    ip ospf authentication message-digest
                    ip ospf message-digest-key 1 md5 ciphertext AQBapOspfKeyValue07
                router ospf 1
                    area 0.0.0.0
                """,
        },
        Secrets =
        [
            "AQBapOsCxAdminHashValue01", "AQBapOsCxOpsHashValue02", "AQBapRadiusKeyValue03", "AQBapTacacsKeyValue04", "CxSnmpComm",
            "AQBapAuthPassValue05", "AQBapPrivPassValue06", "AQBapOspfKeyValue07",
        ],
        ExpectedLines =
        [
            "hostname sw-access1", "ntp enable", "interface 1/1/1", "    description uplink", "    area 0.0.0.0",
            $"user admin group administrators password ciphertext {Removed}", $"radius-server host 10.0.0.5 key ciphertext {Removed}",
            $"tacacs-server host 10.0.0.9 key ciphertext {Removed}", $"snmp-server community {Removed}",
            $"snmpv3 user monitor auth sha auth-pass ciphertext {Removed} priv aes priv-pass ciphertext {Removed}",
            $"    ip ospf message-digest-key 1 md5 ciphertext {Removed}",
        ],
        DeletedPrefixes = ["Current configuration:", "!Version ArubaOS-CX", "!export-password:", "show running-config"],
        RawDiffersBetweenRuns = false,
    };

    public static IReadOnlyList<VendorEmulation> All { get; } =
        [CiscoIos, CiscoNxos, CiscoAsa, JuniperJunos, AristaEos, MikrotikRouterOs, FortinetFortiOs, ArubaAoscx];

    public static VendorEmulation Get(string vendor) => All.Single(v => v.Vendor == vendor);
}
