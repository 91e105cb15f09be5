# minipod — see README.md. Everything here runs as root on Debian 12.
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

RELEASE_BIN := .build/release
IMAGE_DIR   ?= /var/cache/minipod/images
IMAGES      := $(IMAGE_DIR)/busybox_1.36.tar $(IMAGE_DIR)/nginx_1.25.tar

.PHONY: run test deps build images load unit integration fuzz bench check format clean

## make run: install dependencies, build images and minipod, run the sidecar lab.
run: deps build images load
	Scripts/demo

## make test: unit tests (no root needed) and integration tests (root, real pods)
## against the release binaries that `make run` ships.
test: deps images build
	swift build --build-tests
	MINIPOD_BIN=$(CURDIR)/$(RELEASE_BIN)/minipod swift test --skip-build --disable-xctest

deps:
	Scripts/install-deps

build:
	swift build -c release --product minipod
	swift build -c release --product minipod-init
	swift build -c release --product minipod-serve
	swift build -c release --product minipod-supervisor

images:
	Scripts/build-images --out $(IMAGE_DIR)

load: build
	$(RELEASE_BIN)/minipod image load $(IMAGES)

unit:
	swift test --skip IntegrationTests

integration:
	swift test --filter IntegrationTests

## make check: swift-format in lint mode over the tree (.swift-format holds the style; make format fixes it),
## and Package.swift's dependencies against each target's imports (Scripts/check-imports).
SWIFT_SOURCES := Sources Tests Fuzz Package.swift
check:
	swift-format lint --strict --recursive --parallel $(SWIFT_SOURCES)
	Scripts/check-imports

format:
	swift-format format --in-place --recursive --parallel $(SWIFT_SOURCES)

## make fuzz: each libFuzzer harness of Fuzz/ for FUZZ_SECONDS (default 30) over Fuzz/corpus;
## fails on the first crash (see Scripts/fuzz for merge and repro).
FUZZ_SECONDS ?= 30
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) Scripts/fuzz run

bench: deps build images load
	Scripts/bench

clean:
	rm -rf .build .build-fuzz
