import Foundation

/// A small horizontal bar chart written as a standalone SVG file (no dependencies), so every
/// benchmark can draw its JSON figures: one bar per row, grouped by colour, value printed at the end.
struct SVGBarChart {
    /// One bar.
    struct Bar {
        var label: String
        var value: Double
        /// Bars of the same group share a colour (e.g. "tessera", "pytorch", "reference").
        var group: String
    }

    var title: String
    /// The unit of the values, printed in the axis caption (e.g. "samples/s").
    var unit: String
    var bars: [Bar]
    /// An optional footnote (machine, load, date).
    var note: String = ""

    private static let palette = ["#2f6fb0", "#e08a2c", "#7a7a7a", "#3b9e5a", "#b03f3f", "#7b59b3"]

    /// The SVG document.
    func render() -> String {
        let labelWidth = 20 + 7 * (bars.map(\.label.count).max() ?? 10)
        let barArea = 460
        let rowHeight = 26
        let top = 48
        let width = labelWidth + barArea + 110
        let height = top + rowHeight * bars.count + (note.isEmpty ? 34 : 52)
        let finite = bars.map(\.value).filter(\.isFinite)
        let maximum = max(finite.max() ?? 1, 1e-12)
        var groups: [String] = []
        for bar in bars where !groups.contains(bar.group) { groups.append(bar.group) }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
            font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="10" y="20" font-size="15" font-weight="bold">\(Self.escape(title))</text>

            """
        // Legend.
        var legendX = 10
        for (i, group) in groups.enumerated() {
            svg += "<rect x=\"\(legendX)\" y=\"28\" width=\"10\" height=\"10\" fill=\"\(Self.palette[i % Self.palette.count])\"/>"
            svg += "<text x=\"\(legendX + 14)\" y=\"37\">\(Self.escape(group))</text>\n"
            legendX += 24 + 7 * group.count
        }
        for (row, bar) in bars.enumerated() {
            let y = top + row * rowHeight
            let colour = Self.palette[(groups.firstIndex(of: bar.group) ?? 0) % Self.palette.count]
            let length = bar.value.isFinite ? max(1, Int((bar.value / maximum * Double(barArea)).rounded())) : 0
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 16)\" text-anchor=\"end\">\(Self.escape(bar.label))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 4)\" width=\"\(length)\" height=\"\(rowHeight - 8)\" fill=\"\(colour)\"/>"
            svg += "<text x=\"\(labelWidth + length + 6)\" y=\"\(y + 16)\">\(bar.value.isFinite ? Self.format(bar.value) : "not measured")</text>\n"
        }
        let axisY = top + rowHeight * bars.count + 4
        svg += "<line x1=\"\(labelWidth)\" y1=\"\(top)\" x2=\"\(labelWidth)\" y2=\"\(axisY)\" stroke=\"#333\"/>"
        svg += "<text x=\"\(labelWidth)\" y=\"\(axisY + 16)\" fill=\"#333\">\(Self.escape(unit))</text>\n"
        if !note.isEmpty { svg += "<text x=\"10\" y=\"\(axisY + 36)\" fill=\"#666\" font-size=\"11\">\(Self.escape(note))</text>\n" }
        svg += "</svg>\n"
        return svg
    }

    /// Writes `bench-results/NAME.svg` (relative to the working directory) and returns the path.
    @discardableResult
    func write(_ name: String) throws -> String {
        try FileManager.default.createDirectory(atPath: "bench-results", withIntermediateDirectories: true)
        let path = "bench-results/\(name).svg"
        try render().write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A value with precision suited to its size.
    static func format(_ value: Double) -> String {
        switch abs(value) {
        case 1000...: String(format: "%.0f", value)
        case 10...: String(format: "%.1f", value)
        case 1...: String(format: "%.2f", value)
        default: String(format: "%.3f", value)
        }
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// The footnote every chart carries: date, load average (the given one, else now), machine.
    static func machineNote(loadAverage load: Double? = nil) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return "\(formatter.string(from: Date())), \(ProcessInfo.processInfo.activeProcessorCount) cores, load average "
            + String(format: "%.2f", load ?? loadAverage()) + ", release build"
    }
}
