#pragma once
// A brand's .deb: the control file, md5sums and the data tree, put together as dpkg-deb
// would (deb(5): an ar archive of debian-binary, control.tar.xz and data.tar.xz).

#include <string>

#include "branding/tool/package_info.h"
#include "branding/tool/package_tree.h"
#include "shared/result.h"

namespace helpline::brand {

/// The control file of the package whose data is `data`.
std::string control_file(const PackageInfo& info, const PackageTree& data);

/// The .deb's bytes.
Result<Bytes> build_deb(const PackageInfo& info, const PackageTree& data);

/// "X_V_arch.deb"
std::string deb_file_name(const PackageInfo& info);

}  // namespace helpline::brand
