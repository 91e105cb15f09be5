#!/usr/bin/env python3
"""Write an OCI image layout (image-spec 1.0) for a single-layer image.

Usage: ocilayout.py --out DIR --name NAME --tag TAG --layer-tar TAR --layer-gz TAR.GZ
                    --image-config JSON --packages FILE --epoch SECONDS --recipe PATH

--image-config is the recipe's image.json: the OCI "config" object (Env, Cmd,
StopSignal, Labels...). Its strings may use placeholders filled from the
--packages file (lines "NAME VERSION"):
  @VERSION:pkg@   the Debian version, e.g. 1.22.1-9+deb12u11
  @UPSTREAM:pkg@  the upstream part of it, e.g. 1.22.1
  @PACKAGES@      every package as name=version, space separated

Besides index.json the layout gets a Docker-style manifest.json naming the
same blobs, as `docker save` (Docker 25+) writes, so `docker load` takes the
archive as well as podman, skopeo and containerd do.
"""
import argparse
import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess

OCI_ARCH = {"amd64": ("amd64", None), "arm64": ("arm64", "v8"), "armhf": ("arm", "v7"),
            "armel": ("arm", "v5"), "i386": ("386", None), "ppc64el": ("ppc64le", None),
            "s390x": ("s390x", None), "riscv64": ("riscv64", None)}


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def upstream(version):
    version = version.split(":", 1)[-1]
    return version.rsplit("-", 1)[0] if "-" in version else version


def fill(value, versions):
    if isinstance(value, dict):
        return {k: fill(v, versions) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, versions) for v in value]
    if not isinstance(value, str):
        return value

    def sub(m):
        kind, pkg = m.group(1), m.group(2)
        if kind == "PACKAGES":
            return " ".join(f"{p}={v}" for p, v in sorted(versions.items()))
        if pkg not in versions:
            raise SystemExit(f"ocilayout: {m.group(0)} names a package not in the image")
        return versions[pkg] if kind == "VERSION" else upstream(versions[pkg])

    return re.sub(r"@(VERSION|UPSTREAM|PACKAGES)(?::([^@]+))?@", sub, value)


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


class Layout:
    def __init__(self, root):
        self.root = root
        os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)

    def add_bytes(self, data, media_type):
        digest = hashlib.sha256(data).hexdigest()
        with open(self.blob_path(digest), "wb") as f:
            f.write(data)
        return {"mediaType": media_type, "digest": f"sha256:{digest}", "size": len(data)}

    def add_file(self, path, media_type):
        digest = sha256_file(path)
        shutil.copyfile(path, self.blob_path(digest))
        return {"mediaType": media_type, "digest": f"sha256:{digest}",
                "size": os.path.getsize(path)}

    def blob_path(self, digest):
        return os.path.join(self.root, "blobs", "sha256", digest)

    def write(self, name, obj):
        with open(os.path.join(self.root, name), "wb") as f:
            f.write(json.dumps(obj, indent=2, sort_keys=True).encode() + b"\n")


def main():
    ap = argparse.ArgumentParser()
    for opt in ("out", "name", "tag", "layer-tar", "layer-gz", "image-config",
                "packages", "recipe"):
        ap.add_argument("--" + opt, required=True)
    ap.add_argument("--epoch", type=int, required=True)
    args = ap.parse_args()

    versions = {}
    with open(args.packages) as f:
        for line in f:
            if line.strip():
                pkg, version = line.split()[:2]
                versions[pkg] = version
    with open(args.image_config) as f:
        image_config = fill(json.load(f), versions)

    deb_arch = subprocess.run(["dpkg", "--print-architecture"], check=True,
                              capture_output=True, text=True).stdout.strip()
    arch, variant = OCI_ARCH.get(deb_arch, (deb_arch, None))
    created = datetime.datetime.fromtimestamp(args.epoch, datetime.timezone.utc) \
        .strftime("%Y-%m-%dT%H:%M:%SZ")
    ref = f"{args.name}:{args.tag}"

    layout = Layout(args.out)
    layer = layout.add_file(args.layer_gz, "application/vnd.oci.image.layer.v1.tar+gzip")
    config = {
        "architecture": arch,
        "os": "linux",
        "created": created,
        "config": image_config,
        "rootfs": {"type": "layers", "diff_ids": [f"sha256:{sha256_file(args.layer_tar)}"]},
        "history": [{
            "created": created,
            "created_by": f"minipod {args.recipe} (Scripts/build-images): "
                          + " ".join(f"{p}={v}" for p, v in sorted(versions.items())),
            "comment": f"local stand-in for {ref} built from Debian packages",
        }],
    }
    if variant:
        config["variant"] = variant
    config_desc = layout.add_bytes(canonical(config), "application/vnd.oci.image.config.v1+json")
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": config_desc,
        "layers": [layer],
    }
    manifest_desc = layout.add_bytes(canonical(manifest),
                                     "application/vnd.oci.image.manifest.v1+json")
    manifest_desc["annotations"] = {
        "org.opencontainers.image.ref.name": ref,
        "io.containerd.image.name": f"docker.io/library/{ref}",
    }
    layout.write("oci-layout", {"imageLayoutVersion": "1.0.0"})
    layout.write("index.json", {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [manifest_desc],
    })
    blob = lambda d: "blobs/sha256/" + d["digest"].split(":", 1)[1]
    layout.write("manifest.json", [{
        "Config": blob(config_desc),
        "RepoTags": [ref],
        "Layers": [blob(layer)],
    }])
    print(manifest_desc["digest"])


if __name__ == "__main__":
    main()
