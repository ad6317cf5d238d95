#pragma once
// Reading a brand's Windows installer back (`helpline-brand inspect X-setup.exe`): the
// programs inside are extracted with 7-Zip (Debian's p7zip-full reads NSIS installers;
// libarchive does not) and verified like those of a .deb.

#include <filesystem>
#include <string>

#include "branding/tool/archive_reader.h"
#include "shared/result.h"

namespace helpline::brand {

/// Whether `file` is an NSIS installer: a PE program whose NSIS header (flags, 0xDEADBEEF,
/// "NullsoftInst") follows the installer's stub at a 512-byte boundary, which makensis puts
/// within the first MiB.
bool is_nsis_installer(const std::filesystem::path& file);

/// The Windows programs of the installer: bin/*.exe as programs, libexec/*.exe as backends
/// (the uninstaller and NSIS's own plug-ins aside). `seven_zip`: the program to run.
Result<PackageContents> read_nsis_installer(const std::filesystem::path& file,
                                            const std::string& seven_zip = "7z");

}  // namespace helpline::brand
