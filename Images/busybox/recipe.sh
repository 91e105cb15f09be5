# shellcheck shell=bash disable=SC2034,SC2016  # variables read by the builder; scripts run in the image
# busybox:1.36 stand-in. Sourced by Scripts/build-images, which provides
# in_root, check, die and log; customize and verify run in this directory.
#
# Debian 12 ships busybox 1.35, not 1.36: the tag is the one the labs pull,
# the labels say what is really inside.
IMAGE_TAG=1.36
PACKAGES=(busybox-static)
SKIP=()
# The official image is a flat /bin holding busybox and its applets.
MERGED_USR=no

customize() {
    local r=$1
    # initramfs hooks for the host's boot, meaningless in a container.
    rm -rf "$r/usr/share/initramfs-tools"
    # Asked of the extracted binary itself, so the links match its applets.
    local applet
    for applet in $("$r/bin/busybox" --list); do
        [[ -e $r/bin/$applet ]] || ln -s busybox "$r/bin/$applet"
    done
    mkdir -p "$r"/{dev,proc,sys,home,var,usr/sbin}
    install -d -m 0700 "$r/root"
    install -d -m 1777 "$r/tmp"
}

verify() {
    local r=$1
    check "sh -c 'echo ok'" "$r" sh -c 'echo ok'
    [[ $CHECK_OUTPUT == ok ]] || die "sh printed '$CHECK_OUTPUT'"
    check "httpd --help" "$r" httpd --help
    check "wget --help" "$r" wget --help
    check "tail" "$r" sh -c 'printf "a\nb\n" | tail -n 1 | grep -qx b'
    check "hostname" "$r" hostname
    check "user lookups (root, nobody)" "$r" sh -c 'id -u root && id -u nobody'
    [[ $CHECK_OUTPUT == $'0\n65534' ]] || die "id printed '$CHECK_OUTPUT'"
    # busybox httpd serving, busybox wget fetching by name through /etc/hosts.
    check "httpd + wget over loopback" "$r" sh -c '
        mkdir -p /tmp/www && echo hello > /tmp/www/index.html
        httpd -p 127.0.0.1:8080 -h /tmp/www
        wget -q -O - http://localhost:8080/ | grep -qx hello'
}
