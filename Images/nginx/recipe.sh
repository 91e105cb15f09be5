# shellcheck shell=bash disable=SC2034,SC2016  # variables read by the builder; scripts run in the image
# nginx:1.25 stand-in, laid out like the official image (Debian-based, nginx
# from nginx.org) but with Debian 12's nginx 1.22. Sourced by
# Scripts/build-images, which provides in_root, check, die and log.
IMAGE_TAG=1.25
# bookworm's nginx-light is only a transitional package (nginx plus the echo
# module); the binary both install is the "nginx" package's.
PACKAGES=(nginx curl dash coreutils hostname grep sed findutils procps)
# Not needed at run time: package management and its maintainer scripts
# (debconf, dpkg, install-info, perl-base, init-system-helpers, usrmerge)
# and iproute2, which Debian's nginx pulls in for its init/systemd scripts.
SKIP=(debconf cdebconf dpkg install-info perl-base init-system-helpers
      usr-is-merged usrmerge iproute2)
MERGED_USR=yes

customize() {
    local r=$1
    local index="$r/usr/share/nginx/html/index.html"
    # nginx-common ships the upstream welcome page (Debian's postinst copies it
    # to /var/www/html/index.nginx-debian.html); the labs' logs show its size.
    [[ -f $index && $(wc -c <"$index") -eq 615 ]] || die "nginx-common's index.html is not the 615-byte upstream page"
    grep -q '<title>Welcome to nginx!</title>' "$index" || die "index.html is not the welcome page"

    # dash ships /bin/sh -> dash already; the image depends on it, so say it.
    ln -sfn dash "$r/bin/sh"
    # Our nginx.conf includes conf.d only; these Debian layouts would mislead.
    rm -rf "$r"/etc/nginx/{sites-available,sites-enabled,modules-available,modules-enabled,snippets}

    # What base-files and the maintainer scripts would have made.
    mkdir -p "$r"/{dev,proc,sys,home,run/lock,var/cache/nginx,var/lib/nginx,var/log/nginx}
    ln -sfn /run "$r/var/run"
    ln -sfn /run/lock "$r/var/lock"
    install -d -m 0700 "$r/root"
    install -d -m 1777 "$r/tmp" "$r/var/tmp"
    # As in the official image: logs go to the container's stdout/stderr.
    ln -sfn /dev/stdout "$r/var/log/nginx/access.log"
    ln -sfn /dev/stderr "$r/var/log/nginx/error.log"
}

verify() {
    local r=$1
    check "/bin/sh is dash" "$r" /bin/sh -c 'echo ok'
    [[ $(readlink "$r/bin/sh") == dash ]] || die "/bin/sh is not dash"
    check "libraries of nginx and curl resolve" "$r" /bin/sh -c '
        for b in /usr/sbin/nginx /usr/bin/curl /bin/ps; do
            /lib64/ld-linux-x86-64.so.2 --list "$b" || exit 1
        done | { ! grep "not found"; }'
    check "nginx -t" "$r" nginx -t
    check "curl --version" "$r" curl --version
    check "hostname -i" "$r" /bin/sh -c 'hostname -i || true'
    check "index.html is 615 bytes" "$r" wc -c /usr/share/nginx/html/index.html
    [[ $CHECK_OUTPUT == "615 /usr/share/nginx/html/index.html" ]] || die "wc printed '$CHECK_OUTPUT'"
    check "nginx user" "$r" id nginx
    [[ $CHECK_OUTPUT == "uid=101(nginx) gid=101(nginx) groups=101(nginx)" ]] || die "id printed '$CHECK_OUTPUT'"

    # The image's own nginx serves port 80 of the check's network namespace to
    # the image's own curl, then stops on SIGQUIT, the image's StopSignal.
    check "nginx serves the welcome page and logs to stdout" "$r" /bin/sh -c '
        nginx -g "daemon off;" & pid=$!
        i=0
        until curl -fs -o /tmp/page http://127.0.0.1/; do
            i=$((i + 1)); [ $i -lt 50 ] || { echo "nginx never answered" >&2; exit 1; }
            sleep 0.1
        done
        kill -QUIT $pid; wait $pid
        echo "page $(wc -c < /tmp/page)"'
    local line
    line=$(grep -E '^127\.0\.0\.1 - - \[[^]]+\] "GET / HTTP/1\.1" 200 615 "-" "curl/[0-9.]+"$' <<<"$CHECK_OUTPUT") \
        || { printf '%s\n' "$CHECK_OUTPUT" >&2; die "no combined-format access log line on stdout"; }
    log "    access log: $line"
    grep -qx 'page 615' <<<"$CHECK_OUTPUT" || die "fetched page is not 615 bytes"
    cmp -s "$r/tmp/page" "$r/usr/share/nginx/html/index.html" || die "served page differs from index.html"
}
