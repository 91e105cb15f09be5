// Only OpenSSL's SHA-256 (SHA256_Init/Update/Final): its assembly picks SHA-NI or AVX2
// at run time, and a static link takes in a few objects (~26 KB), not the EVP machinery.
// OpenSSL 3 calls these deprecated in favour of EVP, which would pull in providers.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
