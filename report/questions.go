package report

import (
	"fmt"
	"strings"
)

// question is one question of the assignment as it is asked.
type question struct {
	id, title, asked string
}

// questions are the assignment's questions, in full (../shared/ASSIGNMENT.md).
var questions = []question{
	{"T1.1", "Passive measurement", "What is passive measurement? What kind of information does it provide, and what is its role or significance?"},
	{"T1.2", "Packet capture versus flow data", "What are the advantages and disadvantages of packet captures and of flow data, and why is each important?"},
	{"T1.3", "Hashing and memory", "What is hashing, how does the hash algorithm work, and how does it relate to memory in the analysis of large data sets?"},
	{"T2.0", "Flows", "Derive flows from the capture (or read the flow file given)."},
	{"T2.1", "Flow count and sizes", "What is the total number of flows? What are the minimum, median, mean and maximum flow sizes, in bytes and in packets?"},
	{"T2.2", "Volume over time and flow-size distribution", "Plot the traffic volume (bytes) over time, and the flow-size distribution (CDF and CCDF, log x)."},
	{"T2.3", "Protocols and ports", "What are the top-5 protocols, the top-5 source ports and the top-5 destination ports, ranked by flows, with their flows, packets, bytes and usage?"},
	{"T2.4", "Host pairs", "What are the top-10 host pairs by number of flows and by number of bytes? Are they the same pairs?"},
	{"T2.5", "Flows of the 100 most common host pairs", "Plot the number of flows of the 100 most common host pairs, with a linear and a logarithmic y axis."},
	{"T2.6", "The same with a 2^16-slot array", "Make the same plot with a fixed-size array of 2^16 slots (hash the host pair into a slot, count per slot). How does it differ from the exact result?"},
	{"T2.7", "Counting more efficiently", "Propose a more efficient approach in time and memory, and measure it: exact hash map, the 2^16 array, Count-Min sketch and Space-Saving top-k (memory, time, error on the top-100)."},
	{"T3.1", "IPv4 and IPv6 hosts", "How many IPv4 hosts and how many IPv6 hosts communicate?"},
	{"T3.2", "Countries", "What are the top-5 countries of the hosts (private addresses apart)?"},
	{"T3.3", "Top hosts by bytes", "What are the top-15 hosts (IP addresses) by bytes?"},
	{"T3.4", "Top hosts by packets", "What are the top-15 hosts by packets? How and why do the two top-15 lists differ?"},
	{"T3.5", "Top TCP and UDP ports", "What are the top-10 TCP ports and the top-5 UDP ports by packets?"},
	{"T3.6", "Fastest TCP connections", "What are the top-10 fastest TCP connections?"},
	{"T3.7", "Bit rate and packet rate", "Plot the bit rate and the packet rate over time, and give their summary numbers."},
	{"T3.8", "Failed communications", "Which hosts were contacted but the communication failed, and how (by class)?"},
}

func lookupQuestion(id string) question {
	for _, q := range questions {
		if q.id == id {
			return q
		}
	}
	panic("report: no question " + id)
}

// newQuestion starts the answer to a question of the assignment.
func newQuestion(id string) *Question {
	q := lookupQuestion(id)
	return &Question{ID: q.id, Title: q.title, Asked: q.asked}
}

// AnswersTemplate is the file a student fills in and gives to
// `pcaplab report --answers`: front matter for name, student id and course,
// then a heading for the capture setup, one per question (answers for Task
// 1, optional remarks for Tasks 2 and 3) and one for the conclusion.
func AnswersTemplate() string {
	var b strings.Builder
	b.WriteString("---\nname: \nstudent_id: \ncourse: \n---\n\n")
	b.WriteString("<!-- Write in Markdown under each heading; keep the headings. `pcaplab report --answers THIS-FILE …`\n")
	b.WriteString("     puts each text where it belongs. Text inside comments like this one is left out. -->\n\n")
	b.WriteString("## Capture setup\n\n<!-- The tool (dumpcap, tcpdump, Wireshark), the interface, when and for how long you captured,\n")
	b.WriteString("     what you did meanwhile, and the exact command, e.g.  dumpcap -i wlan0 -a duration:300 -w capture.pcapng -->\n\n")
	for _, q := range questions {
		what := "Your remarks on this answer (optional)."
		if strings.HasPrefix(q.id, "T1.") {
			what = "Your answer."
		}
		fmt.Fprintf(&b, "## %s %s\n\n<!-- %s %s -->\n\n", q.id, q.title, q.asked, what)
	}
	b.WriteString("## Conclusion\n\n<!-- What you learnt from your traffic: a short paragraph. -->\n")
	return b.String()
}
