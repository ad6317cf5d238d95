#pragma once
// The AppStream metainfo of a brand's GUI client (/usr/share/metainfo/<component id>.metainfo.xml),
// so software centres show the brand's name, summary and description.

#include <string>

#include "shared/profile.h"

namespace helpline::brand {

struct PackageInfo;

/// The component id: reverse-DNS of the team's domain followed by the profile id,
/// "example.acme.support.acme_support" for https://support.acme.example and acme-support.
/// The domain is the server's host — the brand's own address, which the team controls — or,
/// when that is an IP address or a single label such as localhost, the domain of the
/// support email. AppStream's rules: segments of [A-Za-z0-9_], '-' written '_', a segment
/// starting with a digit prefixed with '_'.
std::string appstream_component_id(const Profile& profile);

/// The metainfo XML.
std::string appstream_metainfo(const PackageInfo& info);

}  // namespace helpline::brand
