// terraform-provider-pxc: the plugin binary Terraform launches.
//   terraform-provider-pxc             serve (Terraform starts it this way)
//   terraform-provider-pxc --debug     serve standalone, print TF_REATTACH_PROVIDERS
//   terraform-provider-pxc --version   print the version
//   terraform-provider-pxc docs [--check] [DIR]  (re)generate or check docs/
#include <cstdio>
#include <cstring>
#include <string>

#include "provider/auto_mtls.h"
#include "provider/docs.h"
#include "provider/plugin_server.h"
#include "provider/version.h"
#include "resources/provider_def.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define PXC_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define PXC_SANITIZED 1
#endif
#endif

int main(int argc, char** argv) {
  pxc::provider::InitOpenSslWithoutAtExit();
  pxc::provider::ServeOptions options;
  options.provider_address = pxc::kProviderAddress;
#ifndef PXC_SANITIZED
  options.exit_when_done = true;
#endif
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--version" || arg == "-version" || arg == "version") {
      std::printf("terraform-provider-pxc v%s (plugin protocol 6.5)\n", pxc::kVersion);
      return 0;
    }
    if (arg == "docs") {
      // terraform-provider-pxc docs [--check] [repo root]
      bool check = false;
      std::string root = ".";
      for (int j = i + 1; j < argc; ++j) {
        if (std::strcmp(argv[j], "--check") == 0) {
          check = true;
        } else {
          root = argv[j];
        }
      }
      return pxc::provider::RunDocsCommand(*pxc::resources::MakeProvider(pxc::kVersion), root,
                                           check);
    }
    if (arg == "--debug" || arg == "-debug") {
      options.debug = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      std::printf(
          "Usage: terraform-provider-pxc [--debug | --version | docs [--check] [DIR]]\n"
          "This binary is a Terraform provider plugin; Terraform starts it.\n");
      return 0;
    }
    std::fprintf(stderr, "terraform-provider-pxc: unknown argument %s (try --help)\n", argv[i]);
    return 2;
  }
  return pxc::provider::Serve(pxc::resources::MakeProvider(pxc::kVersion), options);
}
