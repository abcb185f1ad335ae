/*
 * The executables and remote services that simulated traffic uses. Address
 * pools lie inside the networks of the operators named beside them (checked
 * against the IP-to-ASN ranges of the @ip-location-db/asn package, built from
 * RouteViews and DB-IP data), so that enrichment finds the ASNs that real
 * traffic would show. No address here is known
 * to belong to an attacker.
 */
#ifndef IH_SIM_CATALOG_H
#define IH_SIM_CATALOG_H

#include "sim_internal.h"

/* Images of the tests. */
extern const sim_image sim_img_powershell_implant;
extern const sim_image sim_img_rundll32_loader;

/* Browsers; a host uses one of them, by index. */
#define SIM_BROWSERS 3
extern const sim_image *const sim_browsers[SIM_BROWSERS];

/* Images of the background. */
extern const sim_image sim_img_teams, sim_img_outlook, sim_img_onedrive;
extern const sim_image sim_img_diagtrack, sim_img_cryptsvc, sim_img_mssense, sim_img_googleupdate;
extern const sim_image sim_img_datadog, sim_img_kaseya, sim_img_automate, sim_img_screenconnect;
extern const sim_image sim_img_openvpn, sim_img_ngrok;

/* Services of the background, grouped by the class of traffic that uses them. */
extern const sim_service *const sim_web_services[];
extern const size_t sim_nweb_services;
extern const sim_service sim_svc_teams_cdn, sim_svc_teams, sim_svc_outlook, sim_svc_onedrive_cdn,
    sim_svc_onedrive;
extern const sim_service sim_svc_diagtrack, sim_svc_ctldl, sim_svc_mssense, sim_svc_googleupdate;
extern const sim_service sim_svc_datadog, sim_svc_kaseya, sim_svc_automate, sim_svc_screenconnect;
extern const sim_service sim_svc_vpn_ddns, sim_svc_ngrok;

/* Address pools of the tests. */
#define SIM_C2_POOLS 2
extern const sim_pool sim_c2_pools[SIM_C2_POOLS];       /* DigitalOcean (AS14061) */
#define SIM_DDNS_POOLS 3
extern const sim_pool sim_ddns_pools[SIM_DDNS_POOLS];   /* Vultr, OVH, Hetzner */
#define SIM_FLUX_POOLS 19
extern const sim_pool sim_flux_pools[SIM_FLUX_POOLS];   /* home broadband, one per ASN */

/* Picks one address of pool p, avoiding .0 and .255. */
uint32_t sim_pool_pick(const sim_pool *p, sim_rng *r);

#endif
