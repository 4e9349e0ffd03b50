package dsl

// kwCode numbers the keywords from 1, in the order of keywords
// (TestKeywordCodes checks it); 0 is no keyword.
type kwCode uint8

const (
	kwScenario kwCode = iota + 1
	kwSeed
	kwCores
	kwPolicy
	kwQuantum
	kwContextSwitch
	kwTask
	kwProcess
	kwThread
	kwX
	kwAt
	kwPriority
	kwNice
	kwGil
	kwInterval
	kwLegacy
	kwCheck
	kwOff
	kwStartup
	kwAsyncio
	kwGevent
	kwEventlet
	kwGreenlets
	kwCoroutines
	kwPatched
	kwUnpatched
	kwGreenlet
	kwGreenthread
	kwGen
	kwCPU
	kwNative
	kwIO
	kwSleep
	kwAwait
	kwYield
	kwOffload
	kwRepeat
	kwLock
	kwSwitch
	kwBlocking
	kwSend
	kwRecv
	kwSemaphore
	kwStart
	kwUniform
	kwExp
	kwNormal
	kwExpect
	kwWithin
	kwMachine
	kwWorkload
	kwParam
	kwVary
	kwIn
	kwWhen
	kwAnd
)

// keywordCode is the code of the keyword w, or 0 when w is not one.
func keywordCode(w string) kwCode {
	switch w {
	case "scenario":
		return kwScenario
	case "seed":
		return kwSeed
	case "cores":
		return kwCores
	case "policy":
		return kwPolicy
	case "quantum":
		return kwQuantum
	case "context_switch":
		return kwContextSwitch
	case "task":
		return kwTask
	case "process":
		return kwProcess
	case "thread":
		return kwThread
	case "x":
		return kwX
	case "at":
		return kwAt
	case "priority":
		return kwPriority
	case "nice":
		return kwNice
	case "gil":
		return kwGil
	case "interval":
		return kwInterval
	case "legacy":
		return kwLegacy
	case "check":
		return kwCheck
	case "off":
		return kwOff
	case "startup":
		return kwStartup
	case "asyncio":
		return kwAsyncio
	case "gevent":
		return kwGevent
	case "eventlet":
		return kwEventlet
	case "greenlets":
		return kwGreenlets
	case "coroutines":
		return kwCoroutines
	case "patched":
		return kwPatched
	case "unpatched":
		return kwUnpatched
	case "greenlet":
		return kwGreenlet
	case "greenthread":
		return kwGreenthread
	case "gen":
		return kwGen
	case "cpu":
		return kwCPU
	case "native":
		return kwNative
	case "io":
		return kwIO
	case "sleep":
		return kwSleep
	case "await":
		return kwAwait
	case "yield":
		return kwYield
	case "offload":
		return kwOffload
	case "repeat":
		return kwRepeat
	case "lock":
		return kwLock
	case "switch":
		return kwSwitch
	case "blocking":
		return kwBlocking
	case "send":
		return kwSend
	case "recv":
		return kwRecv
	case "semaphore":
		return kwSemaphore
	case "start":
		return kwStart
	case "uniform":
		return kwUniform
	case "exp":
		return kwExp
	case "normal":
		return kwNormal
	case "expect":
		return kwExpect
	case "within":
		return kwWithin
	case "machine":
		return kwMachine
	case "workload":
		return kwWorkload
	case "param":
		return kwParam
	case "vary":
		return kwVary
	case "in":
		return kwIn
	case "when":
		return kwWhen
	case "and":
		return kwAnd
	}
	return 0
}
