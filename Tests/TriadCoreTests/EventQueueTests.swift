import Testing
import TriadCore

struct EventQueueTests {
    @Test func eventsPopInTimeOrder() {
        var queue = EventQueue<String>()
        queue.schedule("late", at: 30)
        queue.schedule("early", at: 10)
        queue.schedule("middle", at: 20)
        #expect(queue.pop()?.event == "early")
        #expect(queue.pop()?.event == "middle")
        #expect(queue.now == 20)
        #expect(queue.pop()?.event == "late")
        #expect(queue.pop() == nil)
    }

    @Test func sameInstantEventsPopInSchedulingOrder() {
        var queue = EventQueue<Int>()
        for value in 0..<100 { queue.schedule(value, at: 5) }
        var popped: [Int] = []
        while let entry = queue.pop() { popped.append(entry.event) }
        #expect(popped == Array(0..<100))
    }

    @Test func eventsScheduledWhileRunningKeepTheOrder() {
        var queue = EventQueue<Int>()
        queue.schedule(1, at: 0)
        var order: [Int] = []
        while let (time, event) = queue.pop() {
            order.append(event)
            if event < 4 {
                queue.schedule(event * 10, at: time + 1)
                queue.schedule(event + 1, at: time + 1)
            }
        }
        #expect(order == [1, 10, 2, 20, 3, 30, 4])
    }
}
