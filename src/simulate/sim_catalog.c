/*
 * Executables and remote services of the simulated network. Version numbers
 * and file sizes are plausible for spring 2024; hash columns that Defender
 * writes are derived from the path (sim_defender.c), not from real files.
 * Periods, TTLs and sizes of the background services are modelled values,
 * chosen to reproduce each false-positive class, not measurements of the
 * products named.
 */
#include "sim_catalog.h"

/* --- Images --- */

/* The implant: an encoded PowerShell one-liner started from a document macro. */
const sim_image sim_img_powershell_implant = {
    .path = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
    .company = "Microsoft Corporation",
    .product = "Microsoft\xc2\xae Windows\xc2\xae Operating System",
    .version = "10.0.19041.3996",
    .description = "Windows PowerShell",
    .original_name = "PowerShell.EXE",
    .file_size = 452608,
    .arguments = "-NoP -sta -NonI -W Hidden -Enc "
                 "SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA",
    .parent = "WINWORD.EXE",
    .account = SIM_ACCOUNT_USER,
};

/* A second-stage DLL run through rundll32 on another host. */
const sim_image sim_img_rundll32_loader = {
    .path = "C:\\Windows\\System32\\rundll32.exe",
    .company = "Microsoft Corporation",
    .product = "Microsoft\xc2\xae Windows\xc2\xae Operating System",
    .version = "10.0.19041.3636",
    .description = "Windows host process (Rundll32)",
    .original_name = "RUNDLL32.EXE",
    .file_size = 71680,
    .arguments = "C:\\Users\\Public\\Libraries\\msvcsync.dll,DllRegisterServer",
    .parent = "explorer.exe",
    .account = SIM_ACCOUNT_USER,
};

static const sim_image img_chrome = {
    .path = "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
    .company = "Google LLC",
    .product = "Google Chrome",
    .version = "124.0.6367.119",
    .description = "Google Chrome",
    .original_name = "chrome.exe",
    .file_size = 2765592,
    .arguments = "",
    .parent = "explorer.exe",
    .account = SIM_ACCOUNT_USER,
};

static const sim_image img_msedge = {
    .path = "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe",
    .company = "Microsoft Corporation",
    .product = "Microsoft Edge",
    .version = "124.0.2478.80",
    .description = "Microsoft Edge",
    .original_name = "msedge.exe",
    .file_size = 4078648,
    .arguments = "--single-argument microsoft-edge:",
    .parent = "explorer.exe",
    .account = SIM_ACCOUNT_USER,
};

static const sim_image img_firefox = {
    .path = "C:\\Program Files\\Mozilla Firefox\\firefox.exe",
    .company = "Mozilla Corporation",
    .product = "Firefox",
    .version = "125.0.3",
    .description = "Firefox",
    .original_name = "firefox.exe",
    .file_size = 668304,
    .arguments = "",
    .parent = "explorer.exe",
    .account = SIM_ACCOUNT_USER,
};

const sim_image *const sim_browsers[SIM_BROWSERS] = {&img_msedge, &img_chrome, &img_firefox};

const sim_image sim_img_teams = {
    .path = "C:\\Program Files\\WindowsApps\\MSTeams_24102.2223.2870.9480_x64__8wekyb3d8bbwe\\"
            "ms-teams.exe",
    .company = "Microsoft Corporation",
    .product = "Microsoft Teams",
    .version = "24102.2223.2870.9480",
    .description = "Microsoft Teams",
    .original_name = "ms-teams.exe",
    .file_size = 1190752,
    .arguments = "",
    .parent = "explorer.exe",
    .account = SIM_ACCOUNT_USER,
};

const sim_image sim_img_outlook = {
    .path = "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE",
    .company = "Microsoft Corporation",
    .product = "Microsoft Outlook",
    .version = "16.0.17531.20140",
    .description = "Microsoft Outlook",
    .original_name = "Outlook.exe",
    .file_size = 43660616,
    .arguments = "",
    .parent = "explorer.exe",
    .account = SIM_ACCOUNT_USER,
};

const sim_image sim_img_onedrive = {
    .path = "C:\\Program Files\\Microsoft OneDrive\\OneDrive.exe",
    .company = "Microsoft Corporation",
    .product = "Microsoft OneDrive",
    .version = "24.076.0414.0003",
    .description = "Microsoft OneDrive",
    .original_name = "OneDrive.exe",
    .file_size = 3702656,
    .arguments = "/background",
    .parent = "explorer.exe",
    .account = SIM_ACCOUNT_USER,
};

const sim_image sim_img_diagtrack = {
    .path = "C:\\Windows\\System32\\svchost.exe",
    .company = "Microsoft Corporation",
    .product = "Microsoft\xc2\xae Windows\xc2\xae Operating System",
    .version = "10.0.19041.3636",
    .description = "Host Process for Windows Services",
    .original_name = "svchost.exe",
    .file_size = 55320,
    .arguments = "-k utcsvc -p",
    .parent = "services.exe",
    .account = SIM_ACCOUNT_SYSTEM,
};

const sim_image sim_img_cryptsvc = {
    .path = "C:\\Windows\\System32\\svchost.exe",
    .company = "Microsoft Corporation",
    .product = "Microsoft\xc2\xae Windows\xc2\xae Operating System",
    .version = "10.0.19041.3636",
    .description = "Host Process for Windows Services",
    .original_name = "svchost.exe",
    .file_size = 55320,
    .arguments = "-k NetworkService -p -s CryptSvc",
    .parent = "services.exe",
    .account = SIM_ACCOUNT_NETWORK_SERVICE,
};

const sim_image sim_img_mssense = {
    .path = "C:\\Program Files\\Windows Defender Advanced Threat Protection\\MsSense.exe",
    .company = "Microsoft Corporation",
    .product = "Microsoft\xc2\xae Windows\xc2\xae Operating System",
    .version = "10.8760.19041.4291",
    .description = "Windows Defender Advanced Threat Protection Service Executable",
    .original_name = "MsSense.exe",
    .file_size = 5036960,
    .arguments = "",
    .parent = "services.exe",
    .account = SIM_ACCOUNT_SYSTEM,
};

const sim_image sim_img_googleupdate = {
    .path = "C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe",
    .company = "Google LLC",
    .product = "Google Update",
    .version = "1.3.36.372",
    .description = "Google Installer",
    .original_name = "GoogleUpdate.exe",
    .file_size = 160584,
    .arguments = "/ua /installsource scheduler",
    .parent = "svchost.exe",
    .account = SIM_ACCOUNT_SYSTEM,
};

const sim_image sim_img_datadog = {
    .path = "C:\\Program Files\\Datadog\\Datadog Agent\\bin\\agent.exe",
    .company = "Datadog, Inc.",
    .product = "Datadog Agent",
    .version = "7.52.0",
    .description = "Datadog Agent",
    .original_name = "agent.exe",
    .file_size = 104622592,
    .arguments = "run",
    .parent = "services.exe",
    .account = SIM_ACCOUNT_SYSTEM,
};

const sim_image sim_img_kaseya = {
    .path = "C:\\Program Files (x86)\\Kaseya\\ACME82734119283741\\AgentMon.exe",
    .company = "Kaseya",
    .product = "Kaseya Agent",
    .version = "9.5.0.22",
    .description = "Kaseya Agent Service",
    .original_name = "AgentMon.exe",
    .file_size = 2361856,
    .arguments = "",
    .parent = "services.exe",
    .account = SIM_ACCOUNT_SYSTEM,
};

const sim_image sim_img_automate = {
    .path = "C:\\Windows\\LTSvc\\LTSVC.exe",
    .company = "ConnectWise, LLC",
    .product = "ConnectWise Automate Agent",
    .version = "230.105.0.0",
    .description = "LabTech Agent Service",
    .original_name = "LTSVC.exe",
    .file_size = 1473536,
    .arguments = "",
    .parent = "services.exe",
    .account = SIM_ACCOUNT_SYSTEM,
};

const sim_image sim_img_screenconnect = {
    .path = "C:\\Program Files (x86)\\ScreenConnect Client (5b1d3e6f2a7c9d04)\\"
            "ScreenConnect.ClientService.exe",
    .company = "ConnectWise, LLC",
    .product = "ScreenConnect",
    .version = "23.9.8.8811",
    .description = "ScreenConnect Client Service",
    .original_name = "ScreenConnect.ClientService.exe",
    .file_size = 95416,
    .arguments = "\"?e=Access&y=Guest&h=instance-8r2kfq-relay.screenconnect.com&p=443\"",
    .parent = "services.exe",
    .account = SIM_ACCOUNT_SYSTEM,
};

const sim_image sim_img_openvpn = {
    .path = "C:\\Program Files\\OpenVPN\\bin\\openvpn.exe",
    .company = "The OpenVPN Project",
    .product = "OpenVPN",
    .version = "2.6.10.0",
    .description = "OpenVPN Daemon",
    .original_name = "openvpn.exe",
    .file_size = 1032648,
    .arguments = "--config \"C:\\Program Files\\OpenVPN\\config\\acme-hq.ovpn\"",
    .parent = "openvpnserv.exe",
    .account = SIM_ACCOUNT_USER,
};

const sim_image sim_img_ngrok = {
    .path = "C:\\ProgramData\\chocolatey\\lib\\ngrok\\tools\\ngrok.exe",
    .company = "ngrok LLC",
    .product = "ngrok agent",
    .version = "3.9.0",
    .description = "ngrok",
    .original_name = "ngrok.exe",
    .file_size = 26419200,
    .arguments = "http 3000",
    .parent = "WindowsTerminal.exe",
    .account = SIM_ACCOUNT_USER,
};

/* --- Address pools --- */

/* Google (AS15169), Microsoft (AS8075, AS8068), Akamai (AS20940), Amazon (AS16509, AS14618). */
#define POOL_GOOGLE {SIM_IPV4(142, 250, 64, 0), 16384}, {SIM_IPV4(172, 217, 0, 0), 14336}
#define POOL_AKAMAI                                                                                \
    {SIM_IPV4(23, 215, 0, 0), 3584}, {SIM_IPV4(23, 32, 237, 0), 1280},                             \
        {SIM_IPV4(23, 50, 48, 0), 4096}, {SIM_IPV4(184, 24, 0, 0), 12288}

const sim_pool sim_c2_pools[SIM_C2_POOLS] = {
    {SIM_IPV4(159, 65, 0, 0), 65536},
    {SIM_IPV4(167, 99, 0, 0), 65536},
};

const sim_pool sim_ddns_pools[SIM_DDNS_POOLS] = {
    {SIM_IPV4(45, 76, 0, 0), 131072}, /* Vultr, AS20473 */
    {SIM_IPV4(51, 75, 0, 0), 65536},  /* OVH, AS16276 */
    {SIM_IPV4(95, 216, 0, 0), 131072}, /* Hetzner, AS24940 */
};

/* Home broadband networks of nineteen ASNs, where fast-flux proxies usually live. */
const sim_pool sim_flux_pools[SIM_FLUX_POOLS] = {
    {SIM_IPV4(73, 54, 0, 0), 65536},   /* Comcast, AS7922 */
    {SIM_IPV4(79, 214, 0, 0), 65536},  /* Deutsche Telekom, AS3320 */
    {SIM_IPV4(83, 44, 0, 0), 65536},   /* Telefonica de Espana, AS3352 */
    {SIM_IPV4(90, 45, 0, 0), 65536},   /* Orange, AS3215 */
    {SIM_IPV4(86, 150, 0, 0), 65536},  /* British Telecommunications, AS2856 */
    {SIM_IPV4(95, 24, 0, 0), 65536},   /* Vimpelcom, AS8402 */
    {SIM_IPV4(78, 176, 0, 0), 65536},  /* Turk Telekom, AS9121 */
    {SIM_IPV4(14, 162, 0, 0), 65536},  /* VNPT, AS45899 */
    {SIM_IPV4(177, 94, 0, 0), 65536},  /* Telefonica Brasil, AS27699 */
    {SIM_IPV4(189, 100, 0, 0), 65536}, /* Claro NXT, AS28573 */
    {SIM_IPV4(117, 200, 0, 0), 65536}, /* BSNL, AS9829 */
    {SIM_IPV4(175, 223, 0, 0), 65536}, /* Korea Telecom, AS4766 */
    {SIM_IPV4(46, 211, 0, 0), 65536},  /* Kyivstar, AS15895 */
    {SIM_IPV4(86, 120, 0, 0), 65536},  /* DIGI Romania, AS8708 */
    {SIM_IPV4(83, 25, 0, 0), 65536},   /* Orange Polska, AS5617 */
    {SIM_IPV4(36, 68, 0, 0), 65536},   /* Telkom Indonesia, AS7713 */
    {SIM_IPV4(41, 100, 0, 0), 65536},  /* Algerie Telecom, AS36947 */
    {SIM_IPV4(190, 22, 0, 0), 65536},  /* Telefonica Chile, AS7418 */
    {SIM_IPV4(109, 252, 0, 0), 65536}, /* MGTS, AS25513 */
};

uint32_t sim_pool_pick(const sim_pool *p, sim_rng *r)
{
    uint32_t a = p->base + (uint32_t)sim_rng_below(r, p->count);
    uint32_t last = a & 0xff;
    if (p->count > 1 && (last == 0 || last == 255))
        a = (a & ~UINT32_C(0xff)) | (1 + last % 254);
    return a;
}

/* --- Web sites that browsers visit --- */

static const sim_service svc_google = {
    .name = "www.google.com", .pools = {POOL_GOOGLE}, .answers = 1, .ttl = 300,
    .port = 443, .protocol = SIM_TCP, .zeek_service = "ssl",
    .sent_min = 900, .sent_max = 12000, .received_min = 4000, .received_max = 180000,
    .duration_min_ms = 80, .duration_max_ms = 120000,
};

static const sim_service svc_bing = {
    .name = "www.bing.com", .cname = {"www-www.bing.com.trafficmanager.net",
                                      "www.bing.com.edgekey.net"},
    .pools = {{SIM_IPV4(13, 107, 21, 200), 1}, {SIM_IPV4(204, 79, 197, 200), 1}},
    .answers = 2, .ttl = 60, .cname_ttl = 300, .port = 443, .protocol = SIM_TCP,
    .zeek_service = "ssl", .sent_min = 900, .sent_max = 9000, .received_min = 5000,
    .received_max = 250000, .duration_min_ms = 80, .duration_max_ms = 60000,
};

static const sim_service svc_login = {
    .name = "login.microsoftonline.com", .cname = {"login.mso.msidentity.com"},
    .pools = {{SIM_IPV4(20, 190, 128, 0), 16384}, {SIM_IPV4(40, 126, 0, 0), 16384}},
    .answers = 8, .ttl = 300, .cname_ttl = 3600, .port = 443, .protocol = SIM_TCP,
    .zeek_service = "ssl", .sent_min = 1500, .sent_max = 8000, .received_min = 4000,
    .received_max = 30000, .duration_min_ms = 100, .duration_max_ms = 5000,
};

static const sim_service svc_github = {
    .name = "github.com", .pools = {{SIM_IPV4(140, 82, 112, 3), 1}, {SIM_IPV4(140, 82, 113, 3), 1},
                                    {SIM_IPV4(140, 82, 114, 4), 1}},
    .answers = 1, .ttl = 60, .port = 443, .protocol = SIM_TCP, .zeek_service = "ssl",
    .sent_min = 1200, .sent_max = 20000, .received_min = 8000, .received_max = 900000,
    .duration_min_ms = 200, .duration_max_ms = 90000,
};

static const sim_service svc_nytimes = {
    .name = "www.nytimes.com", .cname = {"nytimes.map.fastly.net"},
    .pools = {{SIM_IPV4(151, 101, 1, 164), 1}, {SIM_IPV4(151, 101, 65, 164), 1},
              {SIM_IPV4(151, 101, 129, 164), 1}, {SIM_IPV4(151, 101, 193, 164), 1}},
    .answers = 4, .ttl = 30, .cname_ttl = 120, .port = 443, .protocol = SIM_TCP,
    .zeek_service = "ssl", .sent_min = 1000, .sent_max = 6000, .received_min = 20000,
    .received_max = 2500000, .duration_min_ms = 150, .duration_max_ms = 60000,
};

static const sim_service svc_stackoverflow = {
    .name = "stackoverflow.com",
    .pools = {{SIM_IPV4(104, 18, 32, 7), 1}, {SIM_IPV4(172, 64, 155, 249), 1}},
    .answers = 2, .ttl = 300, .port = 443, .protocol = SIM_TCP, .zeek_service = "ssl",
    .sent_min = 1000, .sent_max = 8000, .received_min = 15000, .received_max = 600000,
    .duration_min_ms = 150, .duration_max_ms = 45000,
};

static const sim_service svc_linkedin = {
    .name = "www.linkedin.com", .cname = {"www-linkedin-com.l-0005.l-msedge.net",
                                          "l-0005.l-msedge.net"},
    .pools = {{SIM_IPV4(13, 107, 42, 14), 1}}, .answers = 1, .ttl = 240, .cname_ttl = 300,
    .port = 443, .protocol = SIM_TCP, .zeek_service = "ssl", .sent_min = 1200,
    .sent_max = 9000, .received_min = 20000, .received_max = 800000, .duration_min_ms = 150,
    .duration_max_ms = 90000,
};

static const sim_service svc_wikipedia = {
    .name = "en.wikipedia.org", .cname = {"dyna.wikimedia.org"},
    .pools = {{SIM_IPV4(185, 15, 58, 224), 1}}, .answers = 1, .ttl = 600, .cname_ttl = 86400,
    .port = 443, .protocol = SIM_TCP, .zeek_service = "ssl", .sent_min = 900,
    .sent_max = 5000, .received_min = 10000, .received_max = 400000, .duration_min_ms = 100,
    .duration_max_ms = 40000,
};

/* Page assets on Akamai: short TTLs and many addresses, so each visit gets new ones. */
static const sim_service svc_adobedtm = {
    .name = "assets.adobedtm.com", .cname = {"assets.adobedtm.com.edgekey.net",
                                             "e4578.dscb.akamaiedge.net"},
    .pools = {POOL_AKAMAI}, .answers = 2, .ttl = 20, .cname_ttl = 3600, .port = 443,
    .protocol = SIM_TCP, .zeek_service = "ssl", .ptr_style = SIM_PTR_AKAMAI,
    .sent_min = 700, .sent_max = 3000, .received_min = 3000, .received_max = 200000,
    .duration_min_ms = 60, .duration_max_ms = 20000,
};

static const sim_service svc_cloudfront_assets = {
    .name = "d3ag4hukkh62yn.cloudfront.net",
    .pools = {{SIM_IPV4(18, 65, 39, 0), 256}, {SIM_IPV4(99, 86, 4, 0), 256}}, .answers = 4,
    .ttl = 60, .port = 443, .protocol = SIM_TCP, .zeek_service = "ssl",
    .ptr_style = SIM_PTR_CLOUDFRONT, .sent_min = 600, .sent_max = 2500, .received_min = 2000,
    .received_max = 300000, .duration_min_ms = 50, .duration_max_ms = 15000,
};

/* Repeats weight the popular sites. */
const sim_service *const sim_web_services[] = {
    &svc_google, &svc_google, &svc_google, &svc_bing,     &svc_login,     &svc_github,
    &svc_nytimes, &svc_stackoverflow, &svc_linkedin, &svc_wikipedia, &svc_adobedtm,
    &svc_adobedtm, &svc_cloudfront_assets,
};
const size_t sim_nweb_services = sizeof(sim_web_services) / sizeof(sim_web_services[0]);

/* --- Office applications: the CDN class with high address rotation --- */

const sim_service sim_svc_teams_cdn = {
    .name = "statics.teams.cdn.office.net", .cname = {"statics-teams-cdn-office-net.edgekey.net",
                                                      "e12356.dscb.akamaiedge.net"},
    .pools = {POOL_AKAMAI}, .answers = 2, .ttl = 20, .cname_ttl = 3600, .port = 443,
    .protocol = SIM_TCP, .zeek_service = "ssl", .ptr_style = SIM_PTR_AKAMAI,
    .sent_min = 700, .sent_max = 2500, .received_min = 5000, .received_max = 1500000,
    .duration_min_ms = 60, .duration_max_ms = 30000,
};

const sim_service sim_svc_teams = {
    .name = "teams.microsoft.com", .cname = {"teams.office.com"},
    .pools = {{SIM_IPV4(52, 113, 194, 132), 1}, {SIM_IPV4(52, 112, 0, 0), 4096}}, .answers = 1,
    .ttl = 300, .cname_ttl = 3600, .port = 443, .protocol = SIM_TCP, .zeek_service = "ssl",
    .sent_min = 2000, .sent_max = 60000, .received_min = 4000, .received_max = 400000,
    .duration_min_ms = 500, .duration_max_ms = 600000,
};

const sim_service sim_svc_outlook = {
    .name = "outlook.office365.com", .cname = {"outlook.ha.office365.com"},
    .pools = {{SIM_IPV4(52, 96, 0, 0), 65536}}, .answers = 4, .ttl = 60, .cname_ttl = 300,
    .port = 443, .protocol = SIM_TCP, .zeek_service = "ssl", .sent_min = 2000,
    .sent_max = 90000, .received_min = 3000, .received_max = 2000000, .duration_min_ms = 300,
    .duration_max_ms = 900000,
};

const sim_service sim_svc_onedrive_cdn = {
    .name = "oneclient.sfx.ms", .cname = {"oneclient.sfx.ms.edgekey.net",
                                          "e16604.g.akamaiedge.net"},
    .pools = {POOL_AKAMAI}, .answers = 2, .ttl = 20, .cname_ttl = 3600, .port = 443,
    .protocol = SIM_TCP, .zeek_service = "ssl", .ptr_style = SIM_PTR_AKAMAI,
    .sent_min = 600, .sent_max = 2000, .received_min = 1500, .received_max = 90000,
    .duration_min_ms = 60, .duration_max_ms = 8000,
};

const sim_service sim_svc_onedrive = {
    .name = "my.microsoftpersonalcontent.com", .pools = {{SIM_IPV4(13, 107, 42, 12), 1}},
    .answers = 1, .ttl = 300, .port = 443, .protocol = SIM_TCP, .zeek_service = "ssl",
    .sent_min = 1500, .sent_max = 4000000, .received_min = 2000, .received_max = 600000,
    .duration_min_ms = 200, .duration_max_ms = 300000,
};

/* --- Telemetry and update agents --- */

const sim_service sim_svc_diagtrack = {
    .name = "v10.events.data.microsoft.com",
    .cname = {"global.asimov.events.data.trafficmanager.net", "onedsblobprdcus15.centralus.cloudapp.azure.com"},
    .pools = {{SIM_IPV4(20, 42, 65, 80), 16}, {SIM_IPV4(20, 189, 173, 0), 16}}, .answers = 1,
    .ttl = 10, .cname_ttl = 300, .port = 443, .protocol = SIM_TCP, .zeek_service = "ssl",
    .sent_min = 3000, .sent_max = 60000, .received_min = 4000, .received_max = 9000,
    .duration_min_ms = 300, .duration_max_ms = 4000,
};

/* Certificate trust lists, fetched over plain HTTP on port 80. */
const sim_service sim_svc_ctldl = {
    .name = "ctldl.windowsupdate.com", .cname = {"wu-bg-shim.trafficmanager.net",
                                                 "ctldl.windowsupdate.com.edgesuite.net"},
    .pools = {POOL_AKAMAI}, .answers = 2, .ttl = 20, .cname_ttl = 300, .port = 80,
    .protocol = SIM_TCP, .zeek_service = "http", .ptr_style = SIM_PTR_AKAMAI,
    .sent_min = 250, .sent_max = 500, .received_min = 300, .received_max = 80000,
    .duration_min_ms = 40, .duration_max_ms = 3000,
};

/* The Defender for Endpoint sensor's own cloud channel. */
const sim_service sim_svc_mssense = {
    .name = "winatp-gw-weu.microsoft.com", .cname = {"winatp-gw-weu.trafficmanager.net"},
    .pools = {{SIM_IPV4(20, 50, 80, 208), 4}}, .answers = 1, .ttl = 300, .cname_ttl = 300,
    .port = 443, .protocol = SIM_TCP, .zeek_service = "ssl", .sent_min = 2000,
    .sent_max = 400000, .received_min = 3000, .received_max = 40000, .duration_min_ms = 300,
    .duration_max_ms = 20000,
};

const sim_service sim_svc_googleupdate = {
    .name = "update.googleapis.com", .pools = {POOL_GOOGLE}, .answers = 1, .ttl = 300,
    .port = 443, .protocol = SIM_TCP, .zeek_service = "ssl", .sent_min = 1500,
    .sent_max = 4000, .received_min = 2000, .received_max = 12000, .duration_min_ms = 200,
    .duration_max_ms = 2000,
};

/* A monitoring agent's intake on shared AWS hosting: a few load-balancer addresses. */
const sim_service sim_svc_datadog = {
    .name = "7-52-0-app.agent.datadoghq.com", .cname = {"alb-agent-intake.us1.datadoghq.com"},
    .pools = {{SIM_IPV4(3, 233, 147, 10), 8}}, .answers = 8, .ttl = 60, .cname_ttl = 300,
    .port = 443, .protocol = SIM_TCP, .zeek_service = "ssl", .ptr_style = SIM_PTR_AWS,
    .sent_min = 3000, .sent_max = 14000, .received_min = 60, .received_max = 200,
    .duration_min_ms = 100, .duration_max_ms = 900,
};

/* --- Remote monitoring and management --- */

const sim_service sim_svc_kaseya = {
    .name = "acme-vsa.kaseya.net", .pools = {{SIM_IPV4(13, 89, 178, 26), 2}}, .answers = 1,
    .ttl = 300, .port = 5721, .protocol = SIM_TCP, .zeek_service = "ssl", .sent_min = 200,
    .sent_max = 700, .received_min = 100, .received_max = 500, .duration_min_ms = 40,
    .duration_max_ms = 400,
};

const sim_service sim_svc_automate = {
    .name = "acme.hostedrmm.com", .pools = {{SIM_IPV4(52, 5, 182, 10), 2}}, .answers = 2,
    .ttl = 60, .port = 443, .protocol = SIM_TCP, .zeek_service = "ssl", .ptr_style = SIM_PTR_AWS,
    .sent_min = 900, .sent_max = 3500, .received_min = 400, .received_max = 2500,
    .duration_min_ms = 80, .duration_max_ms = 1200,
};

const sim_service sim_svc_screenconnect = {
    .name = "instance-8r2kfq-relay.screenconnect.com",
    .pools = {{SIM_IPV4(3, 131, 97, 20), 1}}, .answers = 1, .ttl = 300, .port = 443,
    .protocol = SIM_TCP, .zeek_service = "ssl", .ptr_style = SIM_PTR_AWS, .sent_min = 20000,
    .sent_max = 400000, .received_min = 30000, .received_max = 2000000,
    .duration_min_ms = 1200000, .duration_max_ms = 3000000,
};

/* --- A VPN gateway at head office, on a home-style line with a dynamic-DNS name --- */

const sim_service sim_svc_vpn_ddns = {
    .name = "acme-vpn.ddns.net", .pools = {{SIM_IPV4(73, 154, 210, 33), 1}}, .answers = 1,
    .ttl = 60, .port = 443, .protocol = SIM_TCP, .zeek_service = NULL, .sent_min = 200000,
    .sent_max = 60000000, .received_min = 500000, .received_max = 300000000,
    .duration_min_ms = 1800000, .duration_max_ms = 7200000,
};

/* --- A developer tunnel --- */

const sim_service sim_svc_ngrok = {
    .name = "connect.ngrok-agent.com", .cname = {"connect.us.ngrok-agent.com"},
    .pools = {{SIM_IPV4(3, 20, 61, 5), 4}, {SIM_IPV4(18, 158, 249, 60), 4}}, .answers = 2,
    .ttl = 60, .cname_ttl = 300, .port = 443, .protocol = SIM_TCP, .zeek_service = "ssl",
    .sent_min = 40000, .sent_max = 20000000, .received_min = 40000, .received_max = 20000000,
    .duration_min_ms = 600000, .duration_max_ms = 2700000,
};
