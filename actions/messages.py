"""Everything the custom actions say, in English, Hindi and Hinglish.

The Rasa server says its fixed lines itself (domain responses with conditions on the
``language`` slot); the texts that actions compose live here, next to the code that uses them.
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("en", "hi", "hinglish")
DEFAULT_LANGUAGE = "en"

MESSAGES: dict[str, dict[str, str]] = {
    # --- grievance form -------------------------------------------------------------------
    "ask_name": {
        "en": "Let's start. What is your name?",
        "hi": "चलिए शुरू करते हैं। आपका नाम क्या है?",
        "hinglish": "Chaliye shuru karte hain. Aapka naam kya hai?",
    },
    "ask_name_next": {
        "en": "What is your name?",
        "hi": "आपका नाम क्या है?",
        "hinglish": "Aapka naam kya hai?",
    },
    "ask_mobile": {
        "en": "Your mobile number? (e.g. 98765 43210)",
        "hi": "आपका मोबाइल नंबर? (जैसे 98765 43210)",
        "hinglish": "Aapka mobile number? (jaise 98765 43210)",
    },
    "ask_enterprise_name": {
        "en": "The name of your enterprise (company, shop or unit)? Add its Udyam registration "
        "number if it has one.",
        "hi": "आपके उद्यम (कंपनी/दुकान/यूनिट) का नाम? उद्यम पंजीकरण नंबर हो तो वह भी लिखें।",
        "hinglish": "Aapke enterprise (company/dukaan/unit) ka naam? Udyam registration number "
        "ho to woh bhi likhiye.",
    },
    "ask_udyam_number": {
        "en": "Your Udyam registration number? (like UDYAM-MH-12-0001234; it's optional)",
        "hi": 'आपका उद्यम पंजीकरण नंबर? (जैसे UDYAM-MH-12-0001234; न हो तो "नहीं है")',
        "hinglish": "Aapka Udyam registration number? (jaise UDYAM-MH-12-0001234; na ho to "
        '"nahi hai")',
    },
    "ask_state": {
        "en": "Which state or union territory is your enterprise in?",
        "hi": "आपका उद्यम किस राज्य/केंद्र शासित प्रदेश में है?",
        "hinglish": "Aapka enterprise kis state/UT mein hai?",
    },
    "ask_state_of_district": {
        "en": "There is a {district} district in more than one state. Which state is yours?",
        "hi": "{district} नाम का ज़िला एक से ज़्यादा राज्यों में है। आपका कौन-सा राज्य है?",
        "hinglish": "{district} naam ka district ek se zyada states mein hai. "
        "Aapka kaunsa state hai?",
    },
    "ask_district": {
        "en": "Which district is your enterprise in?",
        "hi": "आपका उद्यम किस ज़िले में है?",
        "hinglish": "Aapka enterprise kis district (jile) mein hai?",
    },
    "ask_description": {
        "en": "Now describe the problem: what happened, since when, with which office or "
        "buyer, and the amount if any.",
        "hi": "अब अपनी समस्या बताइए: क्या हुआ, कब से, किस विभाग/खरीदार के साथ, कितनी राशि (यदि हो)।",
        "hinglish": "Ab apni problem bataiye: kya hua, kab se, kis department/buyer ke saath, "
        "kitni amount (agar ho).",
    },
    "ask_followup_ticket": {
        "en": "Which ticket is it about? (like MS-ABC234-X)",
        "hi": "किस टिकट के बारे में? (जैसे MS-ABC234-X)",
        "hinglish": "Kis ticket ke baare mein? (jaise MS-ABC234-X)",
    },
    "ask_reply_text": {
        "en": "Write your answer for the officer.",
        "hi": "अधिकारी के लिए अपना जवाब लिखें।",
        "hinglish": "Officer ke liye apna jawab likhiye.",
    },
    "ask_feedback_rating": {
        "en": "How would you rate the resolution, from 1 (very poor) to 5 (very good)?",
        "hi": "समाधान को 1 (बहुत खराब) से 5 (बहुत अच्छा) तक रेटिंग दें:",
        "hinglish": "Samadhan ko 1 (bahut kharab) se 5 (bahut achha) tak rating dijiye:",
    },
    "ask_category": {
        "en": "What is the complaint about? Pick one:",
        "hi": "शिकायत किस बारे में है? एक चुनें:",
        "hinglish": "Shikayat kis baare mein hai? Ek chuniye:",
    },
    "invalid_name": {
        "en": "Please send just your name, e.g. Ramesh Kumar.",
        "hi": "कृपया सिर्फ़ अपना नाम भेजें, जैसे: रमेश कुमार।",
        "hinglish": "Please sirf apna naam bhejiye, jaise: Ramesh Kumar.",
    },
    "invalid_mobile": {
        "en": "That doesn't look like an Indian mobile number. Send 10 digits starting with "
        "6-9, e.g. 98765 43210 or +91 98765 43210.",
        "hi": "यह भारतीय मोबाइल नंबर नहीं लगता। 6-9 से शुरू होने वाले 10 अंक भेजें, जैसे 98765 43210।",
        "hinglish": "Yeh Indian mobile number nahi lag raha. 6-9 se shuru hone wale 10 digit "
        "bhejiye, jaise 98765 43210.",
    },
    "invalid_enterprise_name": {
        "en": "Please send the name of your enterprise, e.g. Shree Ganesh Textiles.",
        "hi": "कृपया अपने उद्यम का नाम भेजें, जैसे: श्री गणेश टेक्सटाइल्स।",
        "hinglish": "Apni company/enterprise ka naam bhejiye, jaise: Shree Ganesh Textiles.",
    },
    "invalid_udyam_number": {
        "en": "A Udyam number looks like UDYAM-MH-12-0001234. Send yours, or say "
        '"I don\'t have one".',
        "hi": 'उद्यम नंबर ऐसा दिखता है: UDYAM-MH-12-0001234। अपना नंबर भेजें, या लिखें "नहीं है"।',
        "hinglish": "Udyam number aisa hota hai: UDYAM-MH-12-0001234. Apna number bhejiye, "
        'ya likhiye "nahi hai".',
    },
    "invalid_state": {
        "en": "I couldn't find that state. Please type the state or UT name, e.g. "
        "Maharashtra, Uttar Pradesh, Delhi.",
        "hi": "यह राज्य नहीं मिला। कृपया राज्य या केंद्र शासित प्रदेश का नाम लिखें, जैसे "
        "महाराष्ट्र, उत्तर प्रदेश, दिल्ली।",
        "hinglish": "Yeh state nahi mila. State ya UT ka naam likhiye, jaise Maharashtra, "
        "Uttar Pradesh, Delhi.",
    },
    "invalid_district": {
        "en": "Please send just the district name, e.g. Pune.",
        "hi": "कृपया सिर्फ़ ज़िले का नाम भेजें, जैसे: पुणे।",
        "hinglish": "Sirf district (jila) ka naam bhejiye, jaise: Pune.",
    },
    "invalid_category": {
        "en": "Please pick one of the buttons (or type its number, 1-16).",
        "hi": "कृपया कोई एक बटन चुनें (या उसका नंबर 1-16 लिखें)।",
        "hinglish": "Koi ek button chuniye (ya uska number 1-16 likhiye).",
    },
    "invalid_description": {
        "en": "Please describe the problem in a sentence or two (at least 20 characters): "
        "what happened, since when, with whom.",
        "hi": "कृपया समस्या एक-दो वाक्यों में बताएं (कम से कम 20 अक्षर): क्या हुआ, कब से, किसके साथ।",
        "hinglish": "Problem ek-do line mein bataiye (kam se kam 20 akshar): kya hua, kab se, "
        "kiske saath.",
    },
    "too_many_failures_optional": {
        "en": "We can skip this one, it is optional. Skip it, or stop filing?",
        "hi": "यह जानकारी ज़रूरी नहीं है, इसे छोड़ सकते हैं। छोड़ें या शिकायत दर्ज करना बंद करें?",
        "hinglish": "Yeh zaroori nahi hai, chhod sakte hain. Skip karein ya filing band karein?",
    },
    "too_many_failures_required": {
        "en": "This is needed to file the complaint. Try once more, or stop filing?",
        "hi": "शिकायत दर्ज करने के लिए यह ज़रूरी है। एक बार और कोशिश करें, या बंद करें?",
        "hinglish": "Complaint ke liye yeh zaroori hai. Ek baar aur try kijiye, ya band karein?",
    },
    "summary": {
        "en": "Please check your complaint:\nName: {name}\nMobile: {mobile}\nEnterprise: "
        "{enterprise_name}\nUdyam: {udyam_number}\nState: {state}\nDistrict: {district}\n"
        "Category: {category}\nProblem: {description}",
        "hi": "कृपया अपनी शिकायत जांच लें:\nनाम: {name}\nमोबाइल: {mobile}\nउद्यम: "
        "{enterprise_name}\nउद्यम नंबर: {udyam_number}\nराज्य: {state}\nज़िला: {district}\n"
        "श्रेणी: {category}\nसमस्या: {description}",
        "hinglish": "Apni complaint check kar lijiye:\nNaam: {name}\nMobile: {mobile}\n"
        "Enterprise: {enterprise_name}\nUdyam: {udyam_number}\nState: {state}\nDistrict: "
        "{district}\nCategory: {category}\nProblem: {description}",
    },
    "summary_department": {
        "en": "It will go to: {department}.\nSubmit it, or change something?",
        "hi": "यह भेजी जाएगी: {department}।\nदर्ज करें, या कुछ बदलना है?",
        "hinglish": "Yeh jayegi: {department}.\nSubmit karein, ya kuch badalna hai?",
    },
    "summary_no_department": {
        "en": "The right department is chosen when you submit.\nSubmit it, or change something?",
        "hi": "सही विभाग दर्ज करते समय चुना जाएगा।\nदर्ज करें, या कुछ बदलना है?",
        "hinglish": "Sahi department submit karte waqt chuna jayega.\nSubmit karein, ya kuch "
        "badalna hai?",
    },
    "no_udyam": {"en": "not given", "hi": "नहीं दिया", "hinglish": "nahi diya"},
    "summary_udyam_hint": {
        "en": "If your enterprise has a Udyam registration number, send it now.",
        "hi": "अगर आपके उद्यम का उद्यम पंजीकरण नंबर है, तो अभी भेज दें।",
        "hinglish": "Agar aapke enterprise ka Udyam registration number hai, to abhi bhej dijiye.",
    },
    "summary_reason": {
        "en": "Why: {reason}",
        "hi": "कारण: {reason}",
        "hinglish": "Kyun: {reason}",
    },
    "propose_category": {
        "en": "From what you wrote, this is about: {category}. It would go to {department}. "
        "Is that right? Tap Yes, or pick the right topic:",
        "hi": "आपने जो लिखा उससे यह इस बारे में लगता है: {category}। यह {department} को जाएगी। "
        "क्या यह सही है? हाँ दबाएं, या सही विषय चुनें:",
        "hinglish": "Aapne jo likha usse yeh is baare mein lagta hai: {category}. Yeh "
        "{department} ko jayegi. Kya yeh sahi hai? Haan dabaiye, ya sahi topic chuniye:",
    },
    "back_to_filing": {
        "en": "Now, back to your complaint.",
        "hi": "अब आपकी शिकायत पर लौटते हैं।",
        "hinglish": "Ab aapki complaint par wapas aate hain.",
    },
    "restarted": {
        "en": "OK, starting again from the beginning.",
        "hi": "ठीक है, फिर से शुरू करते हैं।",
        "hinglish": "Theek hai, phir se shuru karte hain.",
    },
    "noted": {
        "en": "Noted:\n{values}",
        "hi": "नोट कर लिया:\n{values}",
        "hinglish": "Note kar liya:\n{values}",
    },
    "noted_story": {
        "en": "and your description of the problem.",
        "hi": "और आपकी समस्या का विवरण।",
        "hinglish": "aur aapki problem ki details.",
    },
    "noted_story_alone": {
        "en": "your description of the problem.",
        "hi": "आपकी समस्या का विवरण।",
        "hinglish": "aapki problem ki details.",
    },
    "added_to_description": {
        "en": "Added to your complaint.",
        "hi": "यह आपकी शिकायत में जोड़ दिया।",
        "hinglish": "Yeh aapki complaint mein jod diya.",
    },
    "noted_opening": {
        "en": "Thank you, I have noted what you told me. A few more details:",
        "hi": "धन्यवाद, आपने जो बताया वह नोट कर लिया है। कुछ और जानकारी:",
        "hinglish": "Dhanyavaad, aapne jo bataya woh note kar liya hai. Kuch aur jaankari:",
    },
    "reusing_profile": {
        "en": "I've kept your details from your last complaint ({name}); you can change them "
        "in the summary.",
        "hi": "आपकी पिछली शिकायत की जानकारी ({name}) रख ली है; सारांश में बदल सकते हैं।",
        "hinglish": "Aapki pichhli complaint ki details ({name}) rakh li hain; summary mein "
        "badal sakte hain.",
    },
    "field_required": {
        "en": "The {field} is needed to file the complaint; it can't be skipped.",
        "hi": "शिकायत दर्ज करने के लिए {field} ज़रूरी है; इसे छोड़ा नहीं जा सकता।",
        "hinglish": "Complaint ke liye {field} zaroori hai; ise skip nahi kar sakte.",
    },
    "description_too_long": {
        "en": "That is {length} characters; please keep the description under 4,000 "
        "(send the main points; an officer can ask for more).",
        "hi": "यह {length} अक्षर है; कृपया विवरण 4,000 अक्षरों से कम रखें (मुख्य बातें भेजें; "
        "अधिकारी और जानकारी मांग सकते हैं)।",
        "hinglish": "Yeh {length} akshar hai; details 4,000 se kam rakhiye (main points "
        "bhejiye; officer aur jaankari maang sakte hain).",
    },
    "possible_duplicate": {
        "en": "This looks like your earlier complaint {number}; the officer will see both.",
        "hi": "यह आपकी पिछली शिकायत {number} जैसी लगती है; अधिकारी दोनों देखेंगे।",
        "hinglish": "Yeh aapki pichhli complaint {number} jaisi lagti hai; officer dono dekhenge.",
    },
    "filed": {
        "en": "Your complaint is filed. Ticket number: {number}\nIt goes to {department}. "
        "An officer will attend to it within 3 days and it will be concluded within 7 days. "
        "I'll message you here when something changes.",
        "hi": "आपकी शिकायत दर्ज हो गई। टिकट नंबर: {number}\nयह {department} को भेजी गई है। "
        "3 दिन में अधिकारी इसे देखेंगे और 7 दिन में इसका निपटारा होगा। कोई भी बदलाव होने पर "
        "मैं आपको यहीं बताऊंगा।",
        "hinglish": "Aapki complaint darj ho gayi. Ticket number: {number}\nYeh {department} "
        "ko gayi hai. 3 din mein officer dekhenge aur 7 din mein iska nipatara hoga. Kuch bhi "
        "update hone par main yahin bataunga.",
    },
    "submit_failed": {
        "en": "Sorry, our complaint system is not answering right now, so it is NOT filed yet. "
        'I have kept all your answers: tap "Try again" in a minute.',
        "hi": "माफ़ कीजिए, अभी हमारा शिकायत सिस्टम जवाब नहीं दे रहा, इसलिए शिकायत अभी दर्ज "
        'नहीं हुई। आपके सभी जवाब सुरक्षित हैं: थोड़ी देर में "फिर कोशिश करें" दबाएं।',
        "hinglish": "Sorry, abhi complaint system jawab nahi de raha, isliye complaint abhi "
        'darj NAHI hui. Aapke saare jawab save hain: thodi der mein "Try again" dabaiye.',
    },
    "submit_rejected": {
        "en": "The complaint system did not accept this: {reason}. Please change that field.",
        "hi": "शिकायत सिस्टम ने इसे स्वीकार नहीं किया: {reason}। कृपया वह जानकारी बदलें।",
        "hinglish": "Complaint system ne ise accept nahi kiya: {reason}. Woh field badal dijiye.",
    },
    "confirm_cancel": {
        "en": "Do you want to stop filing this complaint? Your answers will be discarded.",
        "hi": "क्या आप यह शिकायत दर्ज करना बंद करना चाहते हैं? आपके जवाब हटा दिए जाएंगे।",
        "hinglish": "Kya aap yeh complaint filing band karna chahte hain? Aapke jawab hata "
        "diye jayenge.",
    },
    "cancelled": {
        "en": 'OK, I stopped. Nothing was filed. Say "file a complaint" any time to start again.',
        "hi": "ठीक है, बंद कर दिया। कुछ भी दर्ज नहीं हुआ। दोबारा शुरू करने के लिए कभी भी "
        '"शिकायत दर्ज करें" लिखें।',
        "hinglish": "Theek hai, band kar diya. Kuch darj nahi hua. Dobara shuru karne ke liye "
        'kabhi bhi "complaint darj karni hai" likhiye.',
    },
    "continue_filing": {
        "en": "Good, let's continue.",
        "hi": "ठीक है, आगे बढ़ते हैं।",
        "hinglish": "Theek hai, aage badhte hain.",
    },
    "which_field": {
        "en": "What would you like to change?",
        "hi": "आप क्या बदलना चाहते हैं?",
        "hinglish": "Aap kya badalna chahte hain?",
    },
    "field_changed": {
        "en": "Changed {field} to {value}.",
        "hi": "{field} बदलकर {value} कर दिया।",
        "hinglish": "{field} badal kar {value} kar diya.",
    },
    "nothing_to_file": {
        "en": 'There is no complaint waiting to be submitted. Say "file a complaint" to start one.',
        "hi": 'दर्ज करने के लिए कोई शिकायत तैयार नहीं है। नई शिकायत के लिए "शिकायत दर्ज करें" लिखें।',
        "hinglish": "Submit karne ke liye koi complaint taiyaar nahi hai. Nayi complaint ke "
        'liye "complaint darj karni hai" likhiye.',
    },
    # --- status ---------------------------------------------------------------------------
    "ask_ticket_number": {
        "en": "Please send your ticket number. It looks like MS-ABC234-X.",
        "hi": "कृपया अपना टिकट नंबर भेजें। यह ऐसा दिखता है: MS-ABC234-X",
        "hinglish": "Apna ticket number bhejiye. Yeh aisa dikhta hai: MS-ABC234-X",
    },
    "mistyped_number": {
        "en": "That number looks mistyped: {number} is not a valid ticket number. Please "
        "check it (it looks like MS-ABC234-X) and send it again.",
        "hi": "लगता है नंबर गलत टाइप हुआ है: {number} सही टिकट नंबर नहीं है। कृपया जांच कर "
        "दोबारा भेजें (जैसे MS-ABC234-X)।",
        "hinglish": "Lagta hai number galat type hua hai: {number} sahi ticket number nahi hai. "
        "Check karke dobara bhejiye (jaise MS-ABC234-X).",
    },
    "ticket_not_found": {
        "en": "I couldn't find a ticket {number}. Please check the number.",
        "hi": "टिकट {number} नहीं मिला। कृपया नंबर जांच लें।",
        "hinglish": "Ticket {number} nahi mila. Number check kar lijiye.",
    },
    "ticket_status": {
        "en": "Ticket {number}: {status}.",
        "hi": "टिकट {number}: {status}।",
        "hinglish": "Ticket {number}: {status}.",
    },
    "ticket_department": {
        "en": "With: {department}.",
        "hi": "विभाग: {department}।",
        "hinglish": "Department: {department}.",
    },
    "ticket_due": {
        "en": "Due to be concluded by {date}.",
        "hi": "निपटारे की तारीख: {date}।",
        "hinglish": "Nipatare ki date: {date}.",
    },
    "ticket_last_reply": {
        "en": "Officer's last message: {text}",
        "hi": "अधिकारी का पिछला संदेश: {text}",
        "hinglish": "Officer ka pichhla message: {text}",
    },
    "ticket_officer_question": {
        "en": "The officer asked: {text}",
        "hi": "अधिकारी ने पूछा: {text}",
        "hinglish": "Officer ne poochha: {text}",
    },
    "ticket_resolution": {
        "en": "Resolution: {text}",
        "hi": "समाधान: {text}",
        "hinglish": "Samadhan: {text}",
    },
    "ticket_rejection": {
        "en": "Reason: {text}",
        "hi": "कारण: {text}",
        "hinglish": "Kaaran: {text}",
    },
    "other_tickets": {
        "en": "Your other complaints:",
        "hi": "आपकी दूसरी शिकायतें:",
        "hinglish": "Aapki doosri complaints:",
    },
    "ticket_awaiting_info": {
        "en": "Write your answer here and I'll send it to the officer.",
        "hi": "अपना जवाब यहीं लिखें, मैं उसे अधिकारी को भेज दूंगा।",
        "hinglish": "Apna jawab yahin likhiye, main use officer ko bhej dunga.",
    },
    "ticket_resolved_hint": {
        "en": "Not happy with the outcome? You can rate it or ask to reopen it.",
        "hi": "नतीजे से संतुष्ट नहीं? आप रेटिंग दे सकते हैं या इसे दोबारा खुलवा सकते हैं।",
        "hinglish": "Result se khush nahi? Rating de sakte hain ya dobara khulwa sakte hain.",
    },
    "no_tickets": {
        "en": "You have no complaints with us from this chat yet.",
        "hi": "इस चैट से आपकी कोई शिकायत अभी तक दर्ज नहीं है।",
        "hinglish": "Is chat se aapki koi complaint abhi tak darj nahi hai.",
    },
    "my_tickets": {
        "en": "Your complaints:\n{lines}",
        "hi": "आपकी शिकायतें:\n{lines}",
        "hinglish": "Aapki complaints:\n{lines}",
    },
    "backend_down": {
        "en": "Sorry, I can't reach the complaint system right now. Please try again in a "
        "few minutes.",
        "hi": "माफ़ कीजिए, अभी शिकायत सिस्टम से संपर्क नहीं हो पा रहा। कृपया कुछ मिनट बाद फिर कोशिश करें।",
        "hinglish": "Sorry, abhi complaint system se connect nahi ho pa raha. Kuch minute baad "
        "phir try kijiye.",
    },
    # --- schemes --------------------------------------------------------------------------
    "scheme_answer": {
        "en": "{title}: {answer}\nOfficial page: {url}",
        "hi": "{title}: {answer}\nआधिकारिक पेज: {url}",
        "hinglish": "{title}: {answer}\nOfficial page: {url}",
    },
    "scheme_also": {
        "en": "Related: {titles}",
        "hi": "संबंधित: {titles}",
        "hinglish": "Related: {titles}",
    },
    "scheme_no_answer": {
        "en": "I don't have a reliable answer to that in our scheme guide. If you have a "
        "problem with a scheme, I can file a complaint for you.",
        "hi": "इसका पक्का जवाब हमारी योजना-जानकारी में नहीं है। अगर किसी योजना से जुड़ी "
        "समस्या है, तो मैं आपकी शिकायत दर्ज कर सकता हूं।",
        "hinglish": "Iska pakka jawab hamari scheme guide mein nahi hai. Agar kisi yojana se "
        "judi problem hai, to main aapki complaint darj kar sakta hoon.",
    },
    "scheme_prompt": {
        "en": 'Ask me your question about a scheme, e.g. "What is PMEGP?" or "How do I get '
        'a collateral-free loan?"',
        "hi": 'योजना के बारे में अपना सवाल पूछें, जैसे "PMEGP क्या है?" या "बिना गारंटी लोन कैसे मिलेगा?"',
        "hinglish": 'Yojana ke baare mein apna sawaal poochiye, jaise "PMEGP kya hai?" ya '
        '"bina guarantee loan kaise milega?"',
    },
    # --- after filing ---------------------------------------------------------------------
    "reply_sent": {
        "en": 'Sent to the officer on ticket {number}, exactly as you wrote it:\n"{text}"',
        "hi": 'टिकट {number} पर आपका जवाब अधिकारी को भेज दिया गया, जैसा आपने लिखा:\n"{text}"',
        "hinglish": "Ticket {number} par aapka jawab officer ko bhej diya gaya, jaisa aapne "
        'likha:\n"{text}"',
    },
    "reply_not_sent": {
        "en": "Sorry, I could not send your answer on ticket {number} just now: the complaint "
        "system is not answering. Please send it again in a few minutes.",
        "hi": "माफ़ कीजिए, टिकट {number} पर आपका जवाब अभी नहीं भेजा जा सका: शिकायत सिस्टम जवाब "
        "नहीं दे रहा। कृपया कुछ मिनट बाद फिर भेजें।",
        "hinglish": "Sorry, ticket {number} par aapka jawab abhi nahi bheja ja saka: complaint "
        "system jawab nahi de raha. Kuch minute baad phir bhejiye.",
    },
    "not_your_ticket": {
        "en": "Ticket {number} was not filed from this chat, so I can't do that here.",
        "hi": "टिकट {number} इस चैट से दर्ज नहीं हुआ था, इसलिए यह यहां से नहीं हो सकता।",
        "hinglish": "Ticket {number} is chat se darj nahi hua tha, isliye yeh yahan se nahi "
        "ho sakta.",
    },
    "action_refused": {
        "en": "That isn't possible for ticket {number} right now: {reason}.",
        "hi": "टिकट {number} के लिए अभी यह संभव नहीं है: {reason}।",
        "hinglish": "Ticket {number} ke liye abhi yeh possible nahi hai: {reason}.",
    },
    "invalid_feedback_rating": {
        "en": "Please rate from 1 (very poor) to 5 (very good).",
        "hi": "कृपया 1 (बहुत खराब) से 5 (बहुत अच्छा) तक रेटिंग दें।",
        "hinglish": "1 (bahut kharab) se 5 (bahut achha) tak rating dijiye.",
    },
    "invalid_followup_ticket": {
        "en": "Please send a ticket number like MS-ABC234-X.",
        "hi": "कृपया टिकट नंबर भेजें, जैसे MS-ABC234-X।",
        "hinglish": "Ticket number bhejiye, jaise MS-ABC234-X.",
    },
    "invalid_reply_text": {
        "en": "Please write your answer for the officer (at least a few words).",
        "hi": "कृपया अधिकारी के लिए अपना जवाब लिखें (कुछ शब्द)।",
        "hinglish": "Officer ke liye apna jawab likhiye (kuch shabd).",
    },
    "ask_reopen_reason": {
        "en": "What is still wrong? Your words go to the senior officer with the reopened ticket.",
        "hi": "अभी भी क्या समस्या है? आपकी बात दोबारा खुली शिकायत के साथ वरिष्ठ अधिकारी को जाएगी।",
        "hinglish": "Abhi bhi kya problem hai? Aapki baat dobara khuli complaint ke saath senior "
        "officer ko jayegi.",
    },
    "invalid_feedback_reopen": {
        "en": 'Please tap "Reopen" or "Keep closed".',
        "hi": 'कृपया "दोबारा खोलें" या "बंद रहने दें" चुनें।',
        "hinglish": 'Please "Dobara kholo" ya "Band rehne do" chuniye.',
    },
    "ticket_final": {
        "en": "Ticket {number} is final and can't be reopened. If the problem remains, you "
        "can file a new complaint.",
        "hi": "टिकट {number} अंतिम रूप से बंद है और दोबारा नहीं खुल सकता। समस्या बनी है तो नई "
        "शिकायत दर्ज कर सकते हैं।",
        "hinglish": "Ticket {number} final hai aur dobara nahi khul sakta. Problem bani hai to "
        "nayi complaint darj kar sakte hain.",
    },
    "feedback_thanks": {
        "en": "Thank you for rating ticket {number} ({rating}/5).",
        "hi": "टिकट {number} को रेटिंग ({rating}/5) देने के लिए धन्यवाद।",
        "hinglish": "Ticket {number} ko rating ({rating}/5) dene ke liye dhanyavaad.",
    },
    "offer_reopen": {
        "en": "Sorry it didn't help. Do you want to reopen ticket {number}?",
        "hi": "खेद है कि समस्या हल नहीं हुई। क्या आप टिकट {number} दोबारा खुलवाना चाहते हैं?",
        "hinglish": "Sorry, problem hal nahi hui. Kya aap ticket {number} dobara khulwana "
        "chahte hain?",
    },
    "reopened": {
        "en": "Ticket {number} is reopened and escalated to a senior officer.",
        "hi": "टिकट {number} दोबारा खोल दिया गया है और वरिष्ठ अधिकारी को भेजा गया है।",
        "hinglish": "Ticket {number} dobara khol diya gaya hai aur senior officer ko bheja "
        "gaya hai.",
    },
    "not_reopened": {
        "en": "OK, ticket {number} stays closed.",
        "hi": "ठीक है, टिकट {number} बंद ही रहेगा।",
        "hinglish": "Theek hai, ticket {number} band hi rahega.",
    },
    # --- conversation ---------------------------------------------------------------------
    "care": {
        "en": "I am very sorry you are going through this. You are not alone, and help is "
        "there right now: Tele-MANAS, the national mental health helpline, free and open day "
        "and night: 14416 or 1-800-891-4416. If you are in danger now, call 112. I will still "
        "take your complaint, and an officer will read it.",
        "hi": "मुझे बहुत दुख है कि आप इस कठिन समय से गुज़र रहे हैं। आप अकेले नहीं हैं, और मदद अभी "
        "उपलब्ध है: टेली-मानस, राष्ट्रीय मानसिक स्वास्थ्य हेल्पलाइन, मुफ़्त और दिन-रात: 14416 या "
        "1-800-891-4416। अगर अभी खतरा है तो 112 पर कॉल करें। मैं आपकी शिकायत भी दर्ज करूंगा, "
        "और अधिकारी उसे पढ़ेंगे।",
        "hinglish": "Mujhe bahut dukh hai ki aap is mushkil waqt se guzar rahe hain. Aap akele "
        "nahi hain, aur madad abhi mil sakti hai: Tele-MANAS, rashtriya mental health helpline, "
        "muft aur din-raat: 14416 ya 1-800-891-4416. Agar abhi khatra hai to 112 par call "
        "kijiye. Main aapki complaint bhi darj karunga, aur officer use padhenge.",
    },
    "greet": {
        "en": "Namaste! I'm the MSME grievance assistant. I can file a complaint for your "
        "enterprise, tell you the status of a complaint, and answer questions about MSME "
        "schemes. What would you like to do?",
        "hi": "नमस्ते! मैं MSME शिकायत सहायक हूं। मैं आपके उद्यम की शिकायत दर्ज कर सकता हूं, शिकायत "
        "की स्थिति बता सकता हूं और MSME योजनाओं के बारे में जानकारी दे सकता हूं। आप क्या करना "
        "चाहेंगे?",
        "hinglish": "Namaste! Main MSME grievance assistant hoon. Main aapki complaint darj kar "
        "sakta hoon, complaint ka status bata sakta hoon aur MSME yojanaon ke baare mein bata "
        "sakta hoon. Aap kya karna chahenge?",
    },
    "anything_else": {
        "en": "OK. Anything else I can do?",
        "hi": "ठीक है। और कुछ?",
        "hinglish": "Theek hai. Aur kuch?",
    },
    "out_of_scope": {
        "en": "Sorry, I can't help with that. I help with MSME complaints and schemes:",
        "hi": "माफ़ कीजिए, इसमें मैं मदद नहीं कर सकता। मैं MSME की शिकायतों और योजनाओं में मदद करता हूं:",
        "hinglish": "Sorry, isme main madad nahi kar sakta. Main MSME complaints aur yojanaon "
        "mein madad karta hoon:",
    },
    "nothing_to_correct": {
        "en": "No complaint is being filled in right now, so there is nothing to change. If an "
        "officer asked you for information, just write it here.",
        "hi": "अभी कोई शिकायत भरी नहीं जा रही, इसलिए बदलने को कुछ नहीं है। अगर अधिकारी ने "
        "जानकारी मांगी है, तो उसे यहीं लिख दें।",
        "hinglish": "Abhi koi complaint bhari nahi ja rahi, isliye badalne ko kuch nahi hai. "
        "Agar officer ne jaankari maangi hai, to yahin likh dijiye.",
    },
    "fallback": {
        "en": "Sorry, I didn't understand that. Could you say it differently?",
        "hi": "माफ़ कीजिए, मैं समझ नहीं पाया। क्या आप दूसरे शब्दों में बता सकते हैं?",
        "hinglish": "Sorry, main samajh nahi paya. Thoda alag tarike se bataiye?",
    },
    "fallback_again": {
        "en": "I'm still not getting it, sorry. Here is what I can do - or file a complaint "
        "in your own words and an officer will read it:",
        "hi": "माफ़ कीजिए, मैं अब भी नहीं समझ पाया। मैं ये कर सकता हूं - या अपनी बात अपने "
        "शब्दों में शिकायत के रूप में दर्ज करें, अधिकारी उसे पढ़ेंगे:",
        "hinglish": "Sorry, abhi bhi samajh nahi aaya. Main yeh kar sakta hoon - ya apni baat "
        "complaint mein likhiye, officer padhenge:",
    },
    "ask_language": {
        "en": "Which language would you like?",
        "hi": "आप कौन सी भाषा चाहते हैं?",
        "hinglish": "Aap kaunsi language chahte hain?",
    },
    "language_changed": {
        "en": "OK, I'll reply in English.",
        "hi": "ठीक है, अब मैं हिंदी में जवाब दूंगा।",
        "hinglish": "Theek hai, ab main Hinglish mein baat karunga.",
    },
    # --- buttons --------------------------------------------------------------------------
    "button_no_udyam": {
        "en": "I don't have one",
        "hi": "मेरे पास नहीं है",
        "hinglish": "Mere paas nahi hai",
    },
    "button_submit": {"en": "Submit", "hi": "दर्ज करें", "hinglish": "Submit"},
    "button_change_category": {
        "en": "Change the topic",
        "hi": "विषय बदलें",
        "hinglish": "Topic badlein",
    },
    "button_change": {"en": "Change something", "hi": "कुछ बदलें", "hinglish": "Kuch badlein"},
    "button_cancel": {"en": "Cancel", "hi": "रद्द करें", "hinglish": "Cancel"},
    "button_yes": {"en": "Yes", "hi": "हाँ", "hinglish": "Haan"},
    "button_no": {"en": "No", "hi": "नहीं", "hinglish": "Nahi"},
    "button_yes_stop": {"en": "Yes, stop", "hi": "हाँ, बंद करें", "hinglish": "Haan, band karo"},
    "button_no_continue": {
        "en": "No, continue",
        "hi": "नहीं, जारी रखें",
        "hinglish": "Nahi, jaari rakho",
    },
    "button_try_again": {"en": "Try again", "hi": "फिर कोशिश करें", "hinglish": "Try again"},
    "button_skip": {"en": "Skip", "hi": "छोड़ें", "hinglish": "Skip"},
    "button_stop": {"en": "Stop filing", "hi": "बंद करें", "hinglish": "Band karo"},
    "button_file": {
        "en": "File a complaint",
        "hi": "शिकायत दर्ज करें",
        "hinglish": "Complaint darj karo",
    },
    "button_status": {"en": "Check status", "hi": "स्थिति देखें", "hinglish": "Status dekho"},
    "button_scheme": {
        "en": "Ask about a scheme",
        "hi": "योजना के बारे में पूछें",
        "hinglish": "Yojana ke baare mein",
    },
    "button_help": {"en": "Help", "hi": "मदद", "hinglish": "Help"},
    "button_no_thanks": {"en": "No, thanks", "hi": "नहीं, धन्यवाद", "hinglish": "Nahi, thanks"},
    "button_yes_category": {
        "en": "Yes, that's right",
        "hi": "हाँ, सही है",
        "hinglish": "Haan, sahi hai",
    },
    "button_reopen": {"en": "Reopen", "hi": "दोबारा खोलें", "hinglish": "Dobara kholo"},
    "button_keep_closed": {"en": "Keep closed", "hi": "बंद रहने दें", "hinglish": "Band rehne do"},
}

FIELD_LABELS: dict[str, dict[str, str]] = {
    "name": {"en": "name", "hi": "नाम", "hinglish": "naam"},
    "mobile": {"en": "mobile", "hi": "मोबाइल", "hinglish": "mobile"},
    "enterprise_name": {"en": "enterprise", "hi": "उद्यम का नाम", "hinglish": "enterprise"},
    "udyam_number": {"en": "Udyam number", "hi": "उद्यम नंबर", "hinglish": "Udyam number"},
    "state": {"en": "state", "hi": "राज्य", "hinglish": "state"},
    "district": {"en": "district", "hi": "ज़िला", "hinglish": "district"},
    "category": {"en": "category", "hi": "श्रेणी", "hinglish": "category"},
    "description": {"en": "problem", "hi": "समस्या", "hinglish": "problem"},
}

CATEGORY_TITLES: dict[str, dict[str, str]] = {
    "delayed_payment": {
        "en": "Delayed payment",
        "hi": "भुगतान में देरी",
        "hinglish": "Payment mein deri",
    },
    "finance_credit": {"en": "Loan / credit", "hi": "ऋण / क्रेडिट", "hinglish": "Loan / credit"},
    "raw_material": {"en": "Raw material", "hi": "कच्चा माल", "hinglish": "Kachcha maal"},
    "marketing_procurement": {
        "en": "Marketing / govt purchase",
        "hi": "मार्केटिंग / सरकारी खरीद",
        "hinglish": "Marketing / sarkari kharid",
    },
    "labour": {"en": "Labour", "hi": "श्रम / मज़दूर", "hinglish": "Labour / mazdoor"},
    "regulation_licensing": {
        "en": "Licence / rules",
        "hi": "लाइसेंस / नियम",
        "hinglish": "Licence / niyam",
    },
    "infrastructure_power": {
        "en": "Power / infrastructure",
        "hi": "बिजली / बुनियादी ढांचा",
        "hinglish": "Bijli / infrastructure",
    },
    "skill_technology": {
        "en": "Skills / technology",
        "hi": "कौशल / तकनीक",
        "hinglish": "Skill / technology",
    },
    "udyam_registration": {
        "en": "Udyam registration",
        "hi": "उद्यम पंजीकरण",
        "hinglish": "Udyam registration",
    },
    "schemes_subsidy": {
        "en": "Scheme / subsidy",
        "hi": "योजना / सब्सिडी",
        "hinglish": "Yojana / subsidy",
    },
    "pmegp_khadi": {"en": "PMEGP / Khadi", "hi": "PMEGP / खादी", "hinglish": "PMEGP / Khadi"},
    "coir": {"en": "Coir", "hi": "कॉयर (नारियल रेशा)", "hinglish": "Coir"},
    "corruption_vigilance": {"en": "Corruption", "hi": "भ्रष्टाचार", "hinglish": "Bhrashtachar"},
    "employee_related": {
        "en": "Employee (pension etc.)",
        "hi": "कर्मचारी (पेंशन आदि)",
        "hinglish": "Karmachari (pension)",
    },
    "policy_suggestion": {
        "en": "Policy suggestion",
        "hi": "नीति सुझाव",
        "hinglish": "Policy sujhav",
    },
    "other": {"en": "Other", "hi": "अन्य", "hinglish": "Kuch aur"},
}

STATUS_NAMES: dict[str, dict[str, str]] = {
    "new": {"en": "received", "hi": "प्राप्त हुई", "hinglish": "mil gayi hai"},
    "routed": {
        "en": "sent to the department",
        "hi": "विभाग को भेजी गई",
        "hinglish": "department ko bhej di gayi",
    },
    "acknowledged": {
        "en": "seen by an officer",
        "hi": "अधिकारी ने देख ली",
        "hinglish": "officer ne dekh li",
    },
    "in_progress": {
        "en": "being worked on",
        "hi": "कार्रवाई जारी है",
        "hinglish": "kaam chal raha hai",
    },
    "awaiting_info": {
        "en": "waiting for information from you",
        "hi": "आपसे जानकारी का इंतज़ार",
        "hinglish": "aapse jaankari ka intezaar",
    },
    "resolved": {"en": "resolved", "hi": "हल हो गई", "hinglish": "hal ho gayi"},
    "closed": {"en": "closed", "hi": "बंद", "hinglish": "band"},
    "rejected": {"en": "rejected", "hi": "अस्वीकृत", "hinglish": "reject hui"},
    "reopened": {"en": "reopened", "hi": "फिर से खोली गई", "hinglish": "dobara kholi gayi"},
}


def supported_language(value: Any) -> str:
    """``value`` when it is a language we write in (a slot's value), else the default. (The
    gateway's ``bot.texts.language_of`` guesses a language from hints; this only checks.)"""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def say(key: str, language: Any, **values: Any) -> str:
    texts = MESSAGES[key]
    text = texts.get(supported_language(language)) or texts[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


def _pick(table: dict[str, dict[str, str]], key: str, language: Any) -> str:
    entry = table.get(key)
    if entry is None:
        return key
    return entry.get(supported_language(language)) or entry[DEFAULT_LANGUAGE]


def category_title(code: str, language: Any) -> str:
    return _pick(CATEGORY_TITLES, code, language)


def status_name(status: str, language: Any) -> str:
    return _pick(STATUS_NAMES, status, language)


def field_label(field: str, language: Any) -> str:
    return _pick(FIELD_LABELS, field, language)


def button(key: str, language: Any, payload: str) -> dict[str, str]:
    return {"title": say(f"button_{key}", language), "payload": payload}


def menu_buttons(language: Any) -> list[dict[str, str]]:
    """The main menu (as the domain's greeting shows it)."""
    return [
        button("file", language, "/file_grievance"),
        button("status", language, "/check_status"),
        button("scheme", language, "/ask_scheme"),
    ]
