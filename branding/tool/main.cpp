#include <iostream>

#include "branding/tool/brand_cli.h"

int main(int argc, char** argv) { return helpline::brand::run_cli(argc, argv, std::cout, std::cerr); }
