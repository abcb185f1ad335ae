# infrahunt build. `make` builds build/infrahunt; `make check` runs every test.
# SANITIZE=address,undefined builds into build-sanitize/ with those sanitizers.

CC ?= cc
PKGS := zlib libzstd libpcre2-8 yaml-0.1 libpcap libmaxminddb
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS))

ifdef SANITIZE
BUILD ?= build-sanitize
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
OPT ?= -O1 -g
else
BUILD ?= build
SAN_FLAGS :=
OPT ?= -O2 -g
endif

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wvla -Wstrict-prototypes -Wmissing-prototypes
CFLAGS_ALL := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(SAN_FLAGS) $(PKG_CFLAGS) -MMD -MP $(CFLAGS)
LDFLAGS_ALL := $(SAN_FLAGS) $(LDFLAGS)
LIBS := $(PKG_LIBS) -lpthread -lm

SRC := $(shell find src -name '*.c' | sort)
LIB_SRC := $(filter-out src/main.c,$(SRC))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/src/main.o
EMBED := $(BUILD)/gen/profiles.c
EMBED_OBJ := $(BUILD)/gen/profiles.o
DATA_LISTS := $(sort $(wildcard data/*/*.txt))
DATA_OBJ := $(BUILD)/gen/data.o

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

.PHONY: all check unit cases fuzz-replay clean format

all: $(BUILD)/infrahunt

$(BUILD)/infrahunt: $(MAIN_OBJ) $(BUILD)/libinfrahunt.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

$(BUILD)/libinfrahunt.a: $(LIB_OBJ) $(EMBED_OBJ) $(DATA_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# Profiles are compiled into the binary so that it runs from any folder.
$(EMBED): $(sort $(wildcard profiles/*.yaml)) tools/embed.sh
	@mkdir -p $(dir $@)
	sh tools/embed.sh $(sort $(wildcard profiles/*.yaml)) > $@

$(EMBED_OBJ): $(EMBED)
	$(CC) $(CFLAGS_ALL) -Wno-missing-prototypes -c -o $@ $<

# The curated lists under data/ are compiled in too, as builtin:NAME.
$(BUILD)/gen/data.c: $(DATA_LISTS) tools/embed_data.sh
	@mkdir -p $(dir $@)
	sh tools/embed_data.sh $(DATA_LISTS) > $@

$(DATA_OBJ): $(BUILD)/gen/data.c
	$(CC) $(CFLAGS_ALL) -Wno-missing-prototypes -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libinfrahunt.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Wno-missing-prototypes -o $@ $< $(BUILD)/libinfrahunt.a $(LDFLAGS_ALL) $(LIBS) -lcmocka -ljansson

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/replay_main.c $(wildcard tests/fuzz/*.h) $(BUILD)/libinfrahunt.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Wno-missing-prototypes -o $@ $< tests/fuzz/replay_main.c $(BUILD)/libinfrahunt.a $(LDFLAGS_ALL) $(LIBS)

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

fuzz-replay: $(FUZZ_BIN)
	@set -e; for f in $(FUZZ_BIN); do n=$$(basename $$f); echo "== $$n"; $$f tests/fuzz/corpus/$${n#fuzz_}; done

cases: $(BUILD)/infrahunt
	@sh tests/run_cases.sh $(BUILD)/infrahunt

check: all unit fuzz-replay cases
	@sh tests/run_extra.sh $(BUILD)/infrahunt

format:
	clang-format -i $(SRC) $(shell find src tests -name '*.h') $(UNIT_SRC) $(FUZZ_SRC)

clean:
	rm -rf build build-sanitize

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
