package dev.pando.host.wasm;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.Instruction;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.OpCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.OpDecl;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.host.wasm.AbiV1.HostImport;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Load-time checks of a module against ABI v1 and its manifest, so that everything a module can
 * get wrong statically is refused before any instance exists, with a message naming the import,
 * export or op at fault. Every failure is {@code BAD_REQUEST}.
 */
final class ModuleValidator {

    private ModuleValidator() {}

    static ValidatedModule validate(PluginManifest manifest, WasmModule module) {
        return validate(manifest, module, ModuleLimits.DEFAULT);
    }

    static ValidatedModule validate(PluginManifest manifest, WasmModule module, ModuleLimits limits) {
        checkCodeShape(module, limits);
        checkImports(manifest, module);
        MemoryLimits memoryLimits = memoryLimits(manifest, module);
        Map<String, Export> exports = exports(module);

        Export memory = exports.get(AbiV1.MEMORY);
        if (memory == null || memory.exportType() != ExternalType.MEMORY) {
            throw refuse("module must export its linear memory as '" + AbiV1.MEMORY + "'");
        }
        requireFunction(module, exports, AbiV1.ALLOC, AbiV1.ALLOC_TYPE, true);
        boolean hasFree = requireFunction(module, exports, AbiV1.FREE, AbiV1.FREE_TYPE, false);
        boolean hasInit = requireFunction(module, exports, AbiV1.INIT, AbiV1.INIT_TYPE, false);
        boolean hasOnEvent = requireFunction(module, exports, AbiV1.ON_EVENT, AbiV1.ON_EVENT_TYPE, false);
        for (OpDecl op : manifest.ops()) {
            Export export = exports.get(op.export());
            if (export == null || export.exportType() != ExternalType.FUNCTION) {
                throw refuse("manifest op '" + op.name() + "' is served by export '" + op.export()
                        + "', but the module exports no function of that name");
            }
            FunctionType type = functionType(module, export.index());
            if (!sameType(AbiV1.OP_TYPE, type)) {
                throw refuse("manifest op '" + op.name() + "': export '" + op.export() + "' has type " + describe(type)
                        + "; ABI v1 ops must be " + AbiV1.describe(AbiV1.OP_TYPE));
            }
        }
        return new ValidatedModule(module, memoryLimits, hasFree, hasInit, hasOnEvent);
    }

    /**
     * Refuses the shapes that make compiling blow up (minutes and gigabytes from a module of one
     * megabyte) before anything is compiled.
     */
    private static void checkCodeShape(WasmModule module, ModuleLimits limits) {
        int functions = module.functionSection().functionCount();
        if (functions > limits.maxFunctions()) {
            throw refuse("module defines " + functions + " functions, above the limit of " + limits.maxFunctions()
                    + " (" + ModuleLimits.MAX_FUNCTIONS_KEY + ")");
        }
        FunctionBody[] bodies = module.codeSection().functionBodies();
        for (int f = 0; f < bodies.length; f++) {
            for (Instruction ins : bodies[f].instructions()) {
                if (ins.opcode() == OpCode.BR_TABLE && ins.operandCount() - 1 > limits.maxBrTableTargets()) {
                    throw refuse("function " + f + " has a br_table with " + (ins.operandCount() - 1) + " targets, above the limit of "
                            + limits.maxBrTableTargets() + " (" + ModuleLimits.MAX_BR_TABLE_TARGETS_KEY + ")");
                }
            }
        }
    }

    private static void checkImports(PluginManifest manifest, WasmModule module) {
        for (int i = 0; i < module.importSection().importCount(); i++) {
            Import imp = module.importSection().getImport(i);
            String name = imp.module() + "." + imp.name();
            if (imp.importType() != ExternalType.FUNCTION) {
                throw refuse("module imports " + imp.importType().name().toLowerCase(Locale.ROOT) + " " + name
                        + "; ABI v1 modules import only functions, and only from '" + AbiV1.HOST_MODULE + "'");
            }
            if (!AbiV1.HOST_MODULE.equals(imp.module())) {
                throw refuse("module imports " + name + "; the host provides only the '" + AbiV1.HOST_MODULE + "' module");
            }
            HostImport hostImport = HostImport.named(imp.name()).orElseThrow(() -> refuse("module imports " + name
                    + ", which the host does not provide; ABI v1 provides " + HostImport.allNames()));
            FunctionType declared = module.typeSection().getType(((FunctionImport) imp).typeIndex());
            if (!sameType(hostImport.type, declared)) {
                throw refuse("module imports " + name + " as " + describe(declared) + "; ABI v1 defines it as "
                        + AbiV1.describe(hostImport.type));
            }
            if (hostImport.permission != null && !manifest.has(hostImport.permission)) {
                throw refuse("module imports " + name + " but the manifest does not declare the '"
                        + hostImport.permission.jsonName() + "' permission");
            }
        }
    }

    private static MemoryLimits memoryLimits(PluginManifest manifest, WasmModule module) {
        int count = module.memorySection().map(s -> s.memoryCount()).orElse(0);
        if (count == 0) {
            throw refuse("module must define a linear memory and export it as '" + AbiV1.MEMORY + "'");
        }
        if (count > 1) {
            throw refuse("module defines " + count + " memories; ABI v1 supports exactly one");
        }
        MemoryLimits declared = module.memorySection().get().getMemory(0).limits();
        if (declared.shared()) {
            throw refuse("module declares a shared memory; ABI v1 instances are single-threaded");
        }
        int cap = manifest.limits().memoryPages();
        if (declared.initialPages() > cap) {
            throw refuse("module's initial memory is " + declared.initialPages() + " pages, above the manifest's limits.memoryPages of "
                    + cap);
        }
        // The cap is enforced by Chicory itself: with this maximum, memory.grow past it returns -1.
        return new MemoryLimits(declared.initialPages(), Math.min(declared.maximumPages(), cap));
    }

    /** Checks an ABI export's kind and type; returns whether it is present. */
    private static boolean requireFunction(WasmModule module, Map<String, Export> exports, String name, FunctionType type,
            boolean required) {
        Export export = exports.get(name);
        if (export == null) {
            if (required) {
                throw refuse("module must export " + name + " " + AbiV1.describe(type));
            }
            return false;
        }
        FunctionType actual = export.exportType() == ExternalType.FUNCTION ? functionType(module, export.index()) : null;
        if (!sameType(type, actual)) {
            throw refuse("module exports " + name + " as " + (actual == null ? "a " + export.exportType().name().toLowerCase(Locale.ROOT)
                    : describe(actual)) + "; ABI v1 defines it as " + AbiV1.describe(type));
        }
        return true;
    }

    private static Map<String, Export> exports(WasmModule module) {
        Map<String, Export> out = new HashMap<>();
        for (int i = 0; i < module.exportSection().exportCount(); i++) {
            Export e = module.exportSection().getExport(i);
            out.put(e.name(), e);
        }
        return out;
    }

    /** The type of function {@code index} in the function index space: imports first, then definitions. */
    private static FunctionType functionType(WasmModule module, int index) {
        int imported = 0;
        for (int i = 0; i < module.importSection().importCount(); i++) {
            Import imp = module.importSection().getImport(i);
            if (imp.importType() == ExternalType.FUNCTION) {
                if (imported == index) {
                    return module.typeSection().getType(((FunctionImport) imp).typeIndex());
                }
                imported++;
            }
        }
        int local = index - imported;
        if (local < 0 || local >= module.functionSection().functionCount()) {
            return null;
        }
        return module.functionSection().getFunctionType(local, module.typeSection());
    }

    /** Null-safe: Chicory's {@code FunctionType.equals} dereferences its argument. */
    private static boolean sameType(FunctionType expected, FunctionType actual) {
        return actual != null && expected.equals(actual);
    }

    private static String describe(FunctionType type) {
        return type == null ? "an unknown function" : AbiV1.describe(type);
    }

    private static PandoException refuse(String problem) {
        return PandoException.badRequest(problem);
    }
}
