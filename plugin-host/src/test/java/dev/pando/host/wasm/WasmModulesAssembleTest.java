package dev.pando.host.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.host.testing.Wat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WasmModulesAssembleTest {

    @ParameterizedTest
    @ValueSource(strings = {"echo", "counter", "hostile", "kvprobe", "events", "capabilities"})
    void bundledModuleAssembles(String name) {
        byte[] wasm = Wat.module(name);
        assertThat(wasm).startsWith(0x00, 'a', 's', 'm');
    }
}
