import Foundation

/// The NumPy `.npy` format, version 1.0: a magic string, a header naming the element type and
/// shape, then the values in C order. `numpy.load` reads it as it is.
public enum NumPyArray {
    public static func float32(_ values: UnsafeBufferPointer<Float>, shape: [Int]) -> Data {
        let dimensions = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(dimensions)), }"
        // Magic (6) + version (2) + header length (2) + header, padded to a multiple of 64 ending in a newline.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        #if _endian(little)
            data.append(UnsafeRawBufferPointer(values).bindMemory(to: UInt8.self))
        #else
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        #endif
        return data
    }
}
