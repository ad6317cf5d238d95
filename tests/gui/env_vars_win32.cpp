#include <cstdlib>
#include <ctime>

#include "tests/gui/env_vars.h"

namespace helpline::gui::test {

void set_env(const char* name, const char* value) {
    ::_putenv_s(name, value);
}

void unset_env(const char* name) {
    ::_putenv_s(name, "");  // an empty value removes the variable
}

void reread_time_zone() {
    ::_tzset();
}

}  // namespace helpline::gui::test
