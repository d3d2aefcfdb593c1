terraform {
  required_providers {
    pxc = {
      source = "pxc/pxc"
    }
  }
}

provider "pxc" {}
