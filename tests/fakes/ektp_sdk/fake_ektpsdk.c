/* A fake vendor KTP-el SDK with the EktpSdk exports, for driving VendorSdkSession via ctypes.
 * Synthetic data only. Behaviour is switched by environment variables read at connect time:
 *   FAKE_EKTP_READ_RC   return code of EktpExecuteCommand (default 0)
 * The "right" PCID is bytes 0..15 and CONF bytes 100..131 (the tests' TEST_KEYS). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int connected;
    int read_done;
    int released;
} ctx_t;

static int connect_calls = 0;
static int contexts_open = 0;

static const char DEMO[] =
    "\"3303015505900001\",\"JL. CONTOH NO. 1\",\"001\",\"002\",\"PURBALINGGA\",\"KEMANGKON\","
    "\"CONTOH\",\"PURBALINGGA\",\"PEREMPUAN\",\"O\",\"ISLAM\",\"KAWIN\",\"WIRASWASTA\","
    "\"WARGA CONTOH\",\"15-05-1990\",\"JAWA TENGAH\",\"SEUMUR HIDUP\",\"JEMPOL KANAN\","
    "\"JEMPOL KIRI\",\"WNI\",\"\"";
static const uint8_t PHOTO[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x02, 0xFF, 0xD9};

int EktpEstablishContext(void **ctx) {
    ctx_t *c = calloc(1, sizeof(ctx_t));
    if (!c) return 1;
    *ctx = c;
    contexts_open++;
    return 0;
}

int EktpConnect(void *ctx, const uint8_t *pcid, uint32_t pcid_len, const uint8_t *conf,
                uint32_t conf_len) {
    ctx_t *c = ctx;
    connect_calls++;
    if (pcid_len != 16 || conf_len != 32) return 0x6700;
    for (int i = 0; i < 16; i++) if (pcid[i] != i) return 0x63C2;
    for (int i = 0; i < 32; i++) if (conf[i] != 100 + i) return 0x63C2;
    c->connected = 1;
    return 0;
}

int EktpSetAttrib(void *ctx, uint32_t id, const uint8_t *data, uint32_t len) {
    (void)ctx; (void)id; (void)data; (void)len;
    return 0;
}

int EktpExecuteCommand(void *ctx, uint32_t command) {
    ctx_t *c = ctx;
    const char *rc = getenv("FAKE_EKTP_READ_RC");
    if (!c->connected) return 0x6985;
    if (command != 1) return 0x6D00;
    if (rc && atoi(rc) != 0) return atoi(rc);
    c->read_done = 1;
    return 0;
}

static int put(uint8_t *buf, uint32_t *len, const void *src, uint32_t n) {
    if (*len < n) return 0x6700;
    memcpy(buf, src, n);
    *len = n;
    return 0;
}

static int put_size(uint8_t *buf, uint32_t *len, uint32_t n) {
    uint8_t le[4] = {n & 0xFF, (n >> 8) & 0xFF, (n >> 16) & 0xFF, (n >> 24) & 0xFF};
    return put(buf, len, le, 4);
}

int EktpGetAttrib(void *ctx, uint32_t id, uint8_t *buf, uint32_t *len) {
    ctx_t *c = ctx;
    static uint8_t signature[924];
    if (id >= 2 && !c->read_done) return 0x6985;
    memset(signature, 0, sizeof signature);
    signature[21 * 20 + 5] = 0xFF;
    switch (id) {
    case 2: return put_size(buf, len, sizeof PHOTO);
    case 3: return put(buf, len, PHOTO, sizeof PHOTO);
    case 4: return put_size(buf, len, sizeof DEMO - 1);
    case 5: return put(buf, len, DEMO, sizeof DEMO - 1);
    case 6: return put_size(buf, len, sizeof signature);
    case 7: return put(buf, len, signature, sizeof signature);
    default: return 0x6A88;
    }
}

int EktpDisconnect(void *ctx) { ((ctx_t *)ctx)->connected = 0; return 0; }

int EktpReleaseContext(void *ctx) { contexts_open--; free(ctx); return 0; }

/* Test probes (not part of the vendor API). */
int FakeConnectCalls(void) { return connect_calls; }
int FakeContextsOpen(void) { return contexts_open; }
