using System.Globalization;
using System.Text;

namespace ConfigPortal.Infrastructure.Collectors.Simulator;

/// <summary>
/// Deterministic, realistic configs for simulated devices. The same (device, version) always gives the same text,
/// apart from the volatile lines (clock, last change time) that real devices print and the filters must drop.
/// Version v differs from v-1 by a few lines: an interface description, an ACL entry and a static route.
/// </summary>
public static class SimulatedConfigGenerator
{
    public static string Generate(string vendor, string hostname, int seed, int version, DateTime nowUtc)
    {
        var rng = new Random(seed);
        var interfaces = 24 + rng.Next(0, 96);
        var vlans = 8 + rng.Next(0, 40);
        return vendor switch
        {
            "juniper_junos" => Junos(hostname, seed, version, interfaces, vlans, nowUtc),
            "mikrotik_routeros" => RouterOs(hostname, seed, version, interfaces, vlans, nowUtc),
            "fortinet_fortios" => FortiOs(hostname, seed, version, interfaces, nowUtc),
            _ => IosLike(vendor, hostname, seed, version, interfaces, vlans, nowUtc),
        };
    }

    private static string Ip(int seed, int a, int b) => string.Create(CultureInfo.InvariantCulture, $"10.{seed % 200 + 1}.{a % 256}.{b % 256}");

    private static string IosLike(string vendor, string hostname, int seed, int version, int interfaces, int vlans, DateTime now)
    {
        var sb = new StringBuilder(64 * 1024);
        var inv = CultureInfo.InvariantCulture;
        // Each vendor's own volatile header, the lines its profile's delete/ignore filters are written for.
        switch (vendor)
        {
            case "arista_eos":
                sb.Append(inv, $"! Command: show running-config\n! device: {hostname} (DCS-7050SX3-48YC8, EOS-4.31.2F)\n! Time: {now:ddd MMM d HH:mm:ss yyyy}\n!\n");
                break;
            case "cisco_nxos":
                sb.Append(inv, $"!Command: show running-config\n!Running configuration last done at: {now:ddd MMM d HH:mm:ss yyyy}\n!Time: {now:ddd MMM d HH:mm:ss yyyy}\n!\n");
                break;
            case "cisco_asa":
                sb.Append(inv, $": Saved\n:\n: Written by admin at {now:HH:mm:ss.fff} UTC {now:ddd MMM d yyyy}\n!\n");
                break;
            case "aruba_aoscx":
                sb.Append("Current configuration:\n!\n!Version ArubaOS-CX FL.10.13.1000\n!export-password: default\n");
                break;
            default:
                sb.Append("Building configuration...\n\n");
                sb.Append(inv, $"Current configuration : {40000 + seed} bytes\n");
                sb.Append("!\n");
                sb.Append(inv, $"! Last configuration change at {now:HH:mm:ss} UTC {now:ddd MMM d yyyy} by admin\n");
                sb.Append(inv, $"! NVRAM config last updated at {now:HH:mm:ss} UTC {now:ddd MMM d yyyy} by admin\n");
                break;
        }
        sb.Append("!\nversion 17.9\nservice timestamps debug datetime msec\nservice timestamps log datetime msec\nservice password-encryption\n!\n");
        sb.Append(inv, $"hostname {hostname}\n!\nboot-start-marker\nboot-end-marker\n!\n");
        sb.Append(inv, $"enable secret 9 $9$simulated{seed:x8}$0c4fd1b2a9e8\n!\n");
        sb.Append("aaa new-model\naaa authentication login default group tacacs+ local\naaa authorization exec default group tacacs+ local\n!\n");
        sb.Append(inv, $"clock timezone UTC 0 0\nip domain name {hostname.ToLowerInvariant()}.example.net\nip name-server 10.0.0.53\n!\n");
        sb.Append(inv, $"username admin privilege 15 secret 9 $9$adm{seed:x6}$Zq1x8\nusername backup privilege 15 secret 9 $9$bkp{seed:x6}$Rt0v2\n!\n");
        for (var v = 1; v <= vlans; v++)
            sb.Append(inv, $"vlan {v * 10}\n name {(v % 3 == 0 ? "servers" : v % 3 == 1 ? "users" : "voice")}-{v}\n!\n");
        var changedIf = version == 0 ? -1 : (version * 7) % interfaces;
        for (var i = 0; i < interfaces; i++)
        {
            var name = vendor == "arista_eos" ? $"Ethernet{i + 1}" : vendor == "cisco_nxos" ? $"Ethernet1/{i + 1}" : $"GigabitEthernet1/0/{i + 1}";
            sb.Append(inv, $"interface {name}\n");
            var desc = i == changedIf ? $"uplink to core (change #{version})" : i % 5 == 0 ? $"uplink-{i}" : $"access port {i + 1}";
            sb.Append(inv, $" description {desc}\n");
            if (i % 5 == 0)
            {
                sb.Append(inv, $" ip address {Ip(seed, i, 1)} 255.255.255.252\n ip ospf message-digest-key 1 md5 7 0822455D0A16{seed % 97:00}\n no shutdown\n");
            }
            else
            {
                sb.Append(inv, $" switchport access vlan {(i % vlans + 1) * 10}\n switchport mode access\n spanning-tree portfast\n");
            }
            sb.Append("!\n");
        }
        sb.Append("router ospf 1\n router-id ").Append(Ip(seed, 255, 1)).Append('\n');
        for (var i = 0; i < interfaces; i += 5)
            sb.Append(inv, $" network {Ip(seed, i, 0)} 0.0.0.3 area 0\n");
        sb.Append("!\n");
        sb.Append("ip access-list extended MGMT-IN\n");
        sb.Append(" permit tcp 10.0.0.0 0.0.255.255 any eq 22\n");
        for (var k = Math.Max(1, version - 3); k <= version; k++)
            sb.Append(inv, $" permit tcp host 192.0.2.{k % 250 + 1} any eq 443\n");
        sb.Append(" deny   ip any any log\n!\n");
        sb.Append(inv, $"ip route 0.0.0.0 0.0.0.0 {Ip(seed, 0, 254)}\n");
        if (version > 0)
            sb.Append(inv, $"ip route 172.16.{version % 250}.0 255.255.255.0 {Ip(seed, 0, 253)} name change-{version}\n");
        sb.Append("!\n");
        sb.Append(inv, $"snmp-server community S1mCommunity{seed % 1000} RO\nsnmp-server location Rack {seed % 40}, DC1\nsnmp-server contact noc@example.net\n!\n");
        sb.Append(inv, $"tacacs server TAC1\n address ipv4 10.0.0.49\n key 7 045802150C2E{seed % 100:00}\n!\n");
        sb.Append("ntp server 10.0.0.123\n");
        if (vendor == "cisco_ios")
            sb.Append(inv, $"ntp clock-period {17179869 + (int)(now.Ticks % 1000)}\n");
        sb.Append("!\n");
        sb.Append("line con 0\n exec-timeout 15 0\nline vty 0 4\n transport input ssh\n access-class MGMT-IN in\n!\nend\n");
        return sb.ToString();
    }

    private static string Junos(string hostname, int seed, int version, int interfaces, int vlans, DateTime now)
    {
        var sb = new StringBuilder(64 * 1024);
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"## Last commit: {now:yyyy-MM-dd HH:mm:ss} UTC by admin\n");
        sb.Append("version 23.4R1.9;\nsystem {\n");
        sb.Append(inv, $"    host-name {hostname};\n    root-authentication {{\n        encrypted-password \"$6$sim{seed:x6}$J7kHq0aVb\"; ## SECRET-DATA\n    }}\n");
        sb.Append(inv, $"    login {{\n        user admin {{\n            uid 2000;\n            class super-user;\n            authentication {{\n                encrypted-password \"$6$adm{seed:x6}$Lx0\"; ## SECRET-DATA\n            }}\n        }}\n    }}\n");
        sb.Append("    services {\n        ssh;\n        netconf {\n            ssh;\n        }\n    }\n    syslog {\n        host 10.0.0.514 {\n            any notice;\n        }\n    }\n    ntp {\n        server 10.0.0.123;\n    }\n}\n");
        sb.Append("interfaces {\n");
        var changedIf = version == 0 ? -1 : (version * 7) % interfaces;
        for (var i = 0; i < interfaces; i++)
        {
            sb.Append(inv, $"    ge-0/0/{i} {{\n        description \"{(i == changedIf ? $"uplink to core (change #{version})" : $"port {i}")}\";\n");
            sb.Append(inv, $"        unit 0 {{\n            family inet {{\n                address {Ip(seed, i, 1)}/30;\n            }}\n        }}\n    }}\n");
        }
        sb.Append("}\nsnmp {\n");
        sb.Append(inv, $"    community JunS1m{seed % 1000} {{\n        authorization read-only;\n    }}\n}}\n");
        sb.Append("routing-options {\n    static {\n");
        sb.Append(inv, $"        route 0.0.0.0/0 next-hop {Ip(seed, 0, 254)};\n");
        if (version > 0) sb.Append(inv, $"        route 172.16.{version % 250}.0/24 next-hop {Ip(seed, 0, 253)};\n");
        sb.Append("    }\n}\nprotocols {\n    ospf {\n        area 0.0.0.0 {\n");
        for (var i = 0; i < interfaces; i += 4)
            sb.Append(inv, $"            interface ge-0/0/{i}.0 {{\n                authentication {{\n                    md5 1 key \"$9$sim{seed % 997}\"; ## SECRET-DATA\n                }}\n            }}\n");
        sb.Append("        }\n    }\n}\nfirewall {\n    family inet {\n        filter MGMT-IN {\n");
        for (var k = Math.Max(1, version - 3); k <= version; k++)
            sb.Append(inv, $"            term allow-{k} {{\n                from {{\n                    source-address {{\n                        192.0.2.{k % 250 + 1}/32;\n                    }}\n                }}\n                then accept;\n            }}\n");
        sb.Append("            term default {\n                then {\n                    discard;\n                }\n            }\n        }\n    }\n}\nvlans {\n");
        for (var v = 1; v <= vlans; v++)
            sb.Append(inv, $"    vlan{v * 10} {{\n        vlan-id {v * 10};\n    }}\n");
        sb.Append("}\n");
        return sb.ToString();
    }

    private static string RouterOs(string hostname, int seed, int version, int interfaces, int vlans, DateTime now)
    {
        var sb = new StringBuilder(32 * 1024);
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"# {now:yyyy-MM-dd HH:mm:ss} by RouterOS 7.15.3\n# software id = SIM{seed % 10000:0000}-ABCD\n#\n");
        sb.Append(inv, $"/system identity set name={hostname}\n");
        sb.Append("/interface bridge add name=bridge1 vlan-filtering=yes\n");
        var changedIf = version == 0 ? -1 : (version * 7) % interfaces;
        for (var i = 0; i < interfaces; i++)
            sb.Append(inv, $"/interface ethernet set [ find default-name=ether{i + 1} ] comment=\"{(i == changedIf ? $"uplink to core (change #{version})" : $"port {i + 1}")}\"\n");
        for (var v = 1; v <= vlans; v++)
            sb.Append(inv, $"/interface vlan add interface=bridge1 name=vlan{v * 10} vlan-id={v * 10}\n");
        for (var i = 0; i < interfaces; i += 4)
            sb.Append(inv, $"/ip address add address={Ip(seed, i, 1)}/30 interface=ether{i + 1}\n");
        sb.Append(inv, $"/ip route add dst-address=0.0.0.0/0 gateway={Ip(seed, 0, 254)}\n");
        if (version > 0) sb.Append(inv, $"/ip route add dst-address=172.16.{version % 250}.0/24 gateway={Ip(seed, 0, 253)} comment=change-{version}\n");
        sb.Append("/ip firewall filter add action=accept chain=input protocol=tcp dst-port=22 src-address=10.0.0.0/16\n");
        for (var k = Math.Max(1, version - 3); k <= version; k++)
            sb.Append(inv, $"/ip firewall filter add action=accept chain=input protocol=tcp dst-port=443 src-address=192.0.2.{k % 250 + 1}\n");
        sb.Append("/ip firewall filter add action=drop chain=input\n");
        sb.Append(inv, $"/snmp community set [ find default=yes ] name=RosS1m{seed % 1000}\n");
        sb.Append(inv, $"/ppp secret add name=vpnuser password=Pp{seed % 100000}Secret service=l2tp\n");
        sb.Append(inv, $"/interface wireless security-profiles set [ find default=yes ] wpa2-pre-shared-key=Wifi{seed % 100000}Key\n");
        sb.Append("/system ntp client set enabled=yes\n/system ntp client servers add address=10.0.0.123\n");
        return sb.ToString();
    }

    private static string FortiOs(string hostname, int seed, int version, int interfaces, DateTime now)
    {
        var sb = new StringBuilder(32 * 1024);
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"#config-version=FGT60F-7.4.3-FW-build2573-{now:yyMMdd}:opmode=0:vdom=0\n#conf_file_ver={now.Ticks % 100000000}\n#buildno=2573\n");
        sb.Append(inv, $"config system global\n    set hostname \"{hostname}\"\n    set timezone 00\nend\n");
        sb.Append("config system interface\n");
        var changedIf = version == 0 ? -1 : (version * 7) % interfaces;
        for (var i = 0; i < interfaces; i++)
            sb.Append(inv, $"    edit \"port{i + 1}\"\n        set ip {Ip(seed, i, 1)} 255.255.255.252\n        set description \"{(i == changedIf ? $"uplink to core (change #{version})" : $"port {i + 1}")}\"\n    next\n");
        sb.Append("end\nconfig system admin\n    edit \"admin\"\n");
        sb.Append(inv, $"        set password ENC SH2{seed:x8}{now.Ticks % 1000000:x}\n    next\nend\n");
        sb.Append("config router static\n");
        sb.Append(inv, $"    edit 1\n        set gateway {Ip(seed, 0, 254)}\n        set device \"port1\"\n    next\n");
        if (version > 0) sb.Append(inv, $"    edit {version + 1}\n        set dst 172.16.{version % 250}.0 255.255.255.0\n        set gateway {Ip(seed, 0, 253)}\n    next\n");
        sb.Append("end\nconfig vpn ipsec phase1-interface\n    edit \"to-dc\"\n");
        sb.Append(inv, $"        set psksecret ENC {seed:x8}Zk{now.Ticks % 100000}\n    next\nend\n");
        return sb.ToString();
    }
}
